// Timestamps as 0.0.71 prints them (chrono's RFC 3339 "AutoSi" form): the fraction is omitted when it is
// zero. The primary's precision follows its write path (CONTRACT-CORRECTIONS item 10): SQLite
// `datetime('now','subsec')` defaults give ms, `CURRENT_TIMESTAMP` gives s, Rust `Utc::now()` gives ns; the
// candidate has ms clocks, so its "ns" values are printed with ms precision (same format class).

function iso(ms: number): string {
  return new Date(ms).toISOString(); // always "YYYY-MM-DDTHH:MM:SS.mmmZ"
}

/** ms precision (SQLite subsec defaults; also the candidate's stand-in for ns writes). */
export function millisTimestamp(ms: number): string {
  const text = iso(ms);
  return text.endsWith(".000Z") ? `${text.slice(0, -5)}Z` : text;
}

/** s precision (`CURRENT_TIMESTAMP` / `datetime('now')`). */
export function secondsTimestamp(ms: number): string {
  return `${iso(ms).slice(0, 19)}Z`;
}
