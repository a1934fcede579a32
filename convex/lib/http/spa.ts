// 0.0.71 answers every unknown GET (its `/{*path}` route) with the web UI's index.html. The candidate serves
// no UI, so this is a stand-in: the same document the real binary returns (captured from it), so the
// fallback is byte-identical even though its asset links lead nowhere on Convex.

export const SPA_INDEX_HTML = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n    <meta charset=\"UTF-8\"/>\n    <link rel=\"icon\" type=\"image/png\" sizes=\"32x32\" href=\"/favicon-32x32.png\" />\n    <link rel=\"icon\" type=\"image/png\" sizes=\"16x16\" href=\"/favicon-16x16.png\" />\n    <link rel=\"icon\" type=\"image/x-icon\" href=\"/favicon.ico\" />\n    <link rel=\"apple-touch-icon\" sizes=\"180x180\" href=\"/apple-touch-icon.png\" />\n    <link rel=\"manifest\" href=\"/site.webmanifest\" />\n    <link rel=\"icon\" type=\"image/png\" sizes=\"192x192\" href=\"/android-chrome-192x192.png\" />\n    <link rel=\"icon\" type=\"image/png\" sizes=\"512x512\" href=\"/android-chrome-512x512.png\" />\n    <link rel=\"preconnect\" href=\"https://fonts.googleapis.com\">\n    <link rel=\"preconnect\" href=\"https://fonts.gstatic.com\" crossorigin>\n    <link href=\"https://fonts.googleapis.com/css2?family=Chivo+Mono:ital,wght@0,100..900;1,100..900&family=VT323&display=swap\" rel=\"stylesheet\">\n    <meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\"/>\n    <title>vibe-kanban</title>\n  <script type=\"module\" crossorigin src=\"/assets/index-MwA7tndJ.js\"></script>\n  <link rel=\"stylesheet\" crossorigin href=\"/assets/index-u0eKm3JP.css\">\n</head>\n<body>\n<div id=\"root\"></div>\n</body>\n</html>\n";

export function spaResponse(): Response {
  return new Response(SPA_INDEX_HTML, { status: 200, headers: { "content-type": "text/html" } });
}
