/* C forms of the byte scans in comparators/scan.py (see there for what each one finds and why).
 *
 * Each function returns exactly what its Python form returns (tests/comparators/test__scan.py
 * checks that on arbitrary bytes); scan.py falls back to the Python forms when this module was not
 * built. Why C: the Python forms are one regex pass (or translate + find loop) per scan, and a body goes
 * through four or five of them per side; in C each is one pass at memory speed, with no regex engine
 * trying every position and no Python object per candidate position.
 */
#define PY_SSIZE_T_CLEAN
#define _GNU_SOURCE
#include <Python.h>
#include <string.h>

static int is_hex(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static int hex_run(const unsigned char *p, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++)
        if (!is_hex(p[i])) return 0;
    return 1;
}

/* Appends data[start:end] to list as a new bytes object; -1 on error. */
static int append_slice(PyObject *list, const char *data, Py_ssize_t start, Py_ssize_t end) {
    PyObject *piece = PyBytes_FromStringAndSize(data + start, end - start);
    if (piece == NULL) return -1;
    int rc = PyList_Append(list, piece);
    Py_DECREF(piece);
    return rc;
}

/* The end of a split: with nothing found (parts empty) the body itself as the only piece, as re.split
 * gives it; else the rest of the body from `last`. Returns parts, or NULL (parts released) on error. */
static PyObject *finish_split(PyObject *parts, PyObject *data_obj, Py_ssize_t last) {
    int rc = PyList_GET_SIZE(parts) == 0
                 ? PyList_Append(parts, data_obj)
                 : append_slice(parts, PyBytes_AS_STRING(data_obj), last, PyBytes_GET_SIZE(data_obj));
    if (rc < 0) {
        Py_DECREF(parts);
        return NULL;
    }
    return parts;
}

/* A UUID (8-4-4-4-12 hex digits, any case) whose first dash is at data[i], not preceded by a hex digit
 * or dash and not followed by one. */
static int uuid_at_dash(const unsigned char *d, Py_ssize_t n, Py_ssize_t i) {
    if (i < 8 || i + 28 > n) return 0;
    if (!hex_run(d + i - 8, 8)) return 0;
    if (i >= 9 && (is_hex(d[i - 9]) || d[i - 9] == '-')) return 0;
    if (!hex_run(d + i + 1, 4) || d[i + 5] != '-' || !hex_run(d + i + 6, 4) || d[i + 10] != '-' ||
        !hex_run(d + i + 11, 4) || d[i + 15] != '-' || !hex_run(d + i + 16, 12))
        return 0;
    if (i + 28 < n && (is_hex(d[i + 28]) || d[i + 28] == '-')) return 0;
    return 1;
}

static PyObject *split_uuids(PyObject *self, PyObject *arg) {
    if (!PyBytes_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "split_uuids() takes bytes");
        return NULL;
    }
    const char *data = PyBytes_AS_STRING(arg);
    const unsigned char *d = (const unsigned char *)data;
    Py_ssize_t n = PyBytes_GET_SIZE(arg);
    PyObject *parts = PyList_New(0);
    if (parts == NULL) return NULL;
    Py_ssize_t last = 0, pos = 8;
    while (pos < n) {
        const unsigned char *dash = memchr(d + pos, '-', (size_t)(n - pos));
        if (dash == NULL) break;
        Py_ssize_t i = dash - d;
        if (uuid_at_dash(d, n, i)) {
            if (append_slice(parts, data, last, i - 8) < 0 || append_slice(parts, data, i - 8, i + 28) < 0) goto fail;
            last = i + 28;
            pos = i + 28 + 8;  // the next UUID's first dash comes 8 hex digits after its start at the earliest
        } else {
            pos = i + 1;
        }
    }
    return finish_split(parts, arg, last);
fail:
    Py_DECREF(parts);
    return NULL;
}

/* 1 for a lower-case hex digit that is a decimal digit, 2 for one that is a letter, 0 otherwise. */
static unsigned char LOWER_HEX[256];

static void init_tables(void) {
    for (int c = '0'; c <= '9'; c++) LOWER_HEX[c] = 1;
    for (int c = 'a'; c <= 'f'; c++) LOWER_HEX[c] = 2;
}

/* Whether the maximal run [start, end) of lower-case hex digits is replaced: it holds a letter and (with
 * max_digit_run >= 0) no more decimal digits in a row than that. */
static int replaceable_run(const unsigned char *d, Py_ssize_t start, Py_ssize_t end, Py_ssize_t max_digit_run) {
    Py_ssize_t letters = 0, digit_run = 0, longest = 0;
    for (Py_ssize_t i = start; i < end; i++) {
        if (LOWER_HEX[d[i]] == 1) {
            if (++digit_run > longest) longest = digit_run;
        } else {
            letters++;
            digit_run = 0;
        }
    }
    return letters > 0 && (max_digit_run < 0 || longest <= max_digit_run);
}

static PyObject *replace_hex_runs(PyObject *self, PyObject *args) {
    PyObject *data_obj;
    Py_buffer repl_buf;
    Py_ssize_t length, max_digit_run;
    if (!PyArg_ParseTuple(args, "Sny*n:replace_hex_runs", &data_obj, &length, &repl_buf, &max_digit_run))
        return NULL;
    const unsigned char *d = (const unsigned char *)PyBytes_AS_STRING(data_obj);
    Py_ssize_t n = PyBytes_GET_SIZE(data_obj);
    PyObject *result = NULL;
    char *out = NULL;
    Py_ssize_t out_len = 0, last = 0, i = 0;
    if (length <= 0) {
        PyErr_SetString(PyExc_ValueError, "length must be positive");
        goto done;
    }
    // Invariant: i is 0 or just past a byte that is no lower-case hex digit, and every run before i is
    // done. A run of `length` or more that starts in [i, i + length) covers i + length - 1: when that byte
    // is no hex digit, none starts there, and the scan jumps `length` bytes at once.
    while (i + length <= n) {
        Py_ssize_t probe = i + length - 1;
        if (!LOWER_HEX[d[probe]]) {
            i = probe + 1;
            continue;
        }
        Py_ssize_t start = probe, end = probe + 1;
        while (start > i && LOWER_HEX[d[start - 1]]) start--;
        while (end < n && LOWER_HEX[d[end]]) end++;
        if (end - start == length && replaceable_run(d, start, end, max_digit_run)) {
            if (out == NULL) {
                // At most one replacement per length + 1 bytes from here on.
                Py_ssize_t grow = repl_buf.len > length ? repl_buf.len - length : 0;
                out = PyMem_Malloc((size_t)(n + (n / (length + 1) + 1) * grow + 1));
                if (out == NULL) {
                    PyErr_NoMemory();
                    goto done;
                }
            }
            memcpy(out + out_len, d + last, (size_t)(start - last));
            out_len += start - last;
            memcpy(out + out_len, repl_buf.buf, (size_t)repl_buf.len);
            out_len += repl_buf.len;
            last = end;
        }
        i = end + 1;
    }
    if (out == NULL) {  // unchanged: the same object back, as the Python form gives it
        Py_INCREF(data_obj);
        result = data_obj;
        goto done;
    }
    memcpy(out + out_len, d + last, (size_t)(n - last));
    out_len += n - last;
    result = PyBytes_FromStringAndSize(out, out_len);
done:
    PyMem_Free(out);
    PyBuffer_Release(&repl_buf);
    return result;
}

/* Whether literal occurs in data: memchr (vectorized) to each occurrence of the literal's first byte,
 * then a compare. Faster than memmem and bytes.__contains__ for the short literals the masks look for
 * (vk-, "(vibe-kanban "), whose first byte is rare in the answers. */
static PyObject *contains(PyObject *self, PyObject *args) {
    Py_buffer data, literal;
    if (!PyArg_ParseTuple(args, "y*y*:contains", &data, &literal)) return NULL;
    const char *d = data.buf, *l = literal.buf;
    Py_ssize_t n = data.len, m = literal.len, pos = 0;
    int found = m == 0;
    while (!found && pos + m <= n) {
        const char *hit = memchr(d + pos, l[0], (size_t)(n - pos - m + 1));
        if (hit == NULL) break;
        found = memcmp(hit + 1, l + 1, (size_t)(m - 1)) == 0;
        pos = hit - d + 1;
    }
    PyBuffer_Release(&data);
    PyBuffer_Release(&literal);
    return PyBool_FromLong(found);
}

static int is_json_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* The end of a member match whose key's closing quote is at k - 1 (k is just past it): the position
 * just past the value's opening quote in *head_end and the value's end (its closing quote) in
 * *value_end; 0 when no member of these names starts here. */
static int member_at(const unsigned char *d, Py_ssize_t n, Py_ssize_t k, PyObject *names, Py_ssize_t *head_end,
                     Py_ssize_t *value_end) {
    int named = 0;
    Py_ssize_t count = PyTuple_GET_SIZE(names);
    for (Py_ssize_t j = 0; j < count && !named; j++) {
        PyObject *name = PyTuple_GET_ITEM(names, j);
        Py_ssize_t len = PyBytes_GET_SIZE(name);
        Py_ssize_t open = k - len - 2;  // the key's opening quote
        if (open < 1 || d[open] != '"' || d[open - 1] == '\\') continue;
        if (memcmp(d + open + 1, PyBytes_AS_STRING(name), (size_t)len) == 0) named = 1;
    }
    if (!named) return 0;
    Py_ssize_t p = k;
    while (p < n && is_json_space(d[p])) p++;
    if (p >= n || d[p] != ':') return 0;
    p++;
    while (p < n && is_json_space(d[p])) p++;
    if (p >= n || d[p] != '"') return 0;
    p++;
    *head_end = p;
    while (p < n && d[p] != '"' && d[p] != '\\') p++;
    if (p >= n || d[p] != '"') return 0;
    *value_end = p;
    return 1;
}

/* The next member of these names at or after pos: its start (the suffix, which every name ends with) in
 * *start, and head_end / value_end as member_at gives them; 0 when there is none. */
static int next_member(const unsigned char *d, Py_ssize_t n, Py_ssize_t pos, PyObject *suffix, PyObject *names,
                       Py_ssize_t *start, Py_ssize_t *head_end, Py_ssize_t *value_end) {
    const char *text = PyBytes_AS_STRING(suffix);
    Py_ssize_t slen = PyBytes_GET_SIZE(suffix);
    while (pos + slen < n) {
        const unsigned char *hit = memmem(d + pos, (size_t)(n - pos), text, (size_t)slen);
        if (hit == NULL) return 0;
        Py_ssize_t s = hit - d;
        if (s + slen < n && d[s + slen] == '"' && member_at(d, n, s + slen + 1, names, head_end, value_end)) {
            *start = s;
            return 1;
        }
        pos = s + 1;
    }
    return 0;
}

/* 0 with a TypeError set unless names is a tuple of bytes (the caller parsed it as a tuple). */
static int bytes_names(PyObject *names) {
    for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(names); j++) {
        if (!PyBytes_Check(PyTuple_GET_ITEM(names, j))) {
            PyErr_SetString(PyExc_TypeError, "names must be a tuple of bytes");
            return 0;
        }
    }
    return 1;
}

/* Growable output buffer for the replacing scans. */
typedef struct {
    char *buf;
    Py_ssize_t len, cap;
    int replaced;  // whether a token went in (the result is then built, not the body itself)
} Out;

static int out_put(Out *out, const void *src, Py_ssize_t n) {
    if (out->len + n > out->cap) {
        Py_ssize_t cap = (out->len + n) * 2 + 64;
        char *grown = PyMem_Realloc(out->buf, (size_t)cap);
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        out->buf = grown;
        out->cap = cap;
    }
    memcpy(out->buf + out->len, src, (size_t)n);
    out->len += n;
    return 0;
}

/* Appends data[last:start] and the token in place of what follows; -1 on error (the buffer is freed). */
static int out_replace(Out *out, const char *data, Py_ssize_t last, Py_ssize_t start, PyObject *token) {
    out->replaced = 1;
    if (out_put(out, data + last, start - last) < 0 ||
        out_put(out, PyBytes_AS_STRING(token), PyBytes_GET_SIZE(token)) < 0) {
        PyMem_Free(out->buf);
        return -1;
    }
    return 0;
}

/* The result of a replacing scan: the body itself when nothing was replaced (the same object, as the
 * Python forms give it), else what was built plus the body's rest from `last`. */
static PyObject *out_result(Out *out, PyObject *data_obj, Py_ssize_t last) {
    if (!out->replaced) {
        PyMem_Free(out->buf);
        return Py_NewRef(data_obj);
    }
    const char *data = PyBytes_AS_STRING(data_obj);
    if (out_put(out, data + last, PyBytes_GET_SIZE(data_obj) - last) < 0) {
        PyMem_Free(out->buf);
        return NULL;
    }
    PyObject *result = PyBytes_FromStringAndSize(out->buf, out->len);
    PyMem_Free(out->buf);
    return result;
}

static int ts_plain(const unsigned char *p, Py_ssize_t n);

/* Every member value of these names replaced by token when all of them are TS_PLAIN timestamps (the
 * body itself when there is none); None when one is not (the caller then decides per value). */
static PyObject *replace_plain_members(PyObject *self, PyObject *args) {
    PyObject *data_obj, *suffix_obj, *names, *token_obj;
    if (!PyArg_ParseTuple(args, "SSO!S:replace_plain_members", &data_obj, &suffix_obj, &PyTuple_Type, &names,
                          &token_obj) ||
        !bytes_names(names))
        return NULL;
    const unsigned char *d = (const unsigned char *)PyBytes_AS_STRING(data_obj);
    Py_ssize_t n = PyBytes_GET_SIZE(data_obj);
    Out out = {NULL, 0, 0, 0};
    Py_ssize_t last = 0, start, head_end, value_end;
    while (next_member(d, n, last, suffix_obj, names, &start, &head_end, &value_end)) {
        if (!ts_plain(d + head_end, value_end - head_end)) {
            PyMem_Free(out.buf);
            Py_RETURN_NONE;
        }
        if (out_replace(&out, (const char *)d, last, head_end, token_obj) < 0) return NULL;
        last = value_end;
    }
    return out_result(&out, data_obj, last);
}

/* A byte that continues a file name ([A-Za-z0-9._-]): a prefix followed by one is part of a longer name. */
static int continues_name(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

/* Each occurrence of literal (leftmost first, no overlaps) replaced by token when every one ends at a
 * path boundary; None when one does not (the caller's regex then also finds occurrences overlapping a
 * rejected one). The body itself when there is none. */
static PyObject *replace_at_boundaries(PyObject *self, PyObject *args) {
    PyObject *data_obj, *literal_obj, *token_obj;
    if (!PyArg_ParseTuple(args, "SSS:replace_at_boundaries", &data_obj, &literal_obj, &token_obj)) return NULL;
    const char *d = PyBytes_AS_STRING(data_obj), *l = PyBytes_AS_STRING(literal_obj);
    Py_ssize_t n = PyBytes_GET_SIZE(data_obj), m = PyBytes_GET_SIZE(literal_obj);
    if (m == 0) {
        PyErr_SetString(PyExc_ValueError, "empty literal");
        return NULL;
    }
    Out out = {NULL, 0, 0, 0};
    Py_ssize_t last = 0, pos = 0;
    while (pos + m <= n) {
        const char *hit = memchr(d + pos, l[0], (size_t)(n - pos - m + 1));
        if (hit == NULL) break;
        Py_ssize_t s = hit - d;
        if (memcmp(hit + 1, l + 1, (size_t)(m - 1)) != 0) {
            pos = s + 1;
            continue;
        }
        if (s + m < n && continues_name((unsigned char)d[s + m])) {
            PyMem_Free(out.buf);
            Py_RETURN_NONE;
        }
        if (out_replace(&out, d, last, s, token_obj) < 0) return NULL;
        last = pos = s + m;
    }
    return out_result(&out, data_obj, last);
}

/* Whether p holds a UUID's shape: hex digits (any case) with dashes at 8, 13, 18 and 23. */
static int uuid_shaped(const unsigned char *p) {
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (p[i] != '-') return 0;
        } else if (!is_hex(p[i])) {
            return 0;
        }
    }
    return 1;
}

/* fastpath._uuids_in_step: the 36-byte cuts of text between texts[0], texts[1], ... when text is exactly
 * those texts with a UUID-shaped cut between each two; None otherwise. */
static PyObject *uuids_in_step(PyObject *self, PyObject *args) {
    PyObject *texts, *text_obj;
    if (!PyArg_ParseTuple(args, "O!S:uuids_in_step", &PyList_Type, &texts, &text_obj)) return NULL;
    const unsigned char *d = (const unsigned char *)PyBytes_AS_STRING(text_obj);
    Py_ssize_t n = PyBytes_GET_SIZE(text_obj), count = PyList_GET_SIZE(texts), pos = 0;
    PyObject *found = PyList_New(count > 0 ? count - 1 : 0);
    if (found == NULL) return NULL;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *piece = PyList_GET_ITEM(texts, i);
        if (!PyBytes_Check(piece)) {
            Py_DECREF(found);
            PyErr_SetString(PyExc_TypeError, "texts must be a list of bytes");
            return NULL;
        }
        Py_ssize_t len = PyBytes_GET_SIZE(piece);
        if (pos + len > n || memcmp(d + pos, PyBytes_AS_STRING(piece), (size_t)len) != 0) goto differs;
        pos += len;
        if (i == count - 1) break;
        if (pos + 36 > n || !uuid_shaped(d + pos)) goto differs;
        PyObject *uuid = PyBytes_FromStringAndSize((const char *)d + pos, 36);
        if (uuid == NULL) {
            Py_DECREF(found);
            return NULL;
        }
        PyList_SET_ITEM(found, i, uuid);
        pos += 36;
    }
    if (pos != n) goto differs;
    return found;
differs:
    Py_DECREF(found);
    Py_RETURN_NONE;
}

static PyObject *split_members(PyObject *self, PyObject *args) {
    PyObject *data_obj, *suffix_obj, *names;
    if (!PyArg_ParseTuple(args, "SSO!:split_members", &data_obj, &suffix_obj, &PyTuple_Type, &names) ||
        !bytes_names(names))
        return NULL;
    const char *data = PyBytes_AS_STRING(data_obj);
    Py_ssize_t n = PyBytes_GET_SIZE(data_obj);
    PyObject *parts = PyList_New(0);
    if (parts == NULL) return NULL;
    Py_ssize_t last = 0, start, head_end, value_end;
    while (next_member((const unsigned char *)data, n, last, suffix_obj, names, &start, &head_end, &value_end)) {
        if (append_slice(parts, data, last, start) < 0 || append_slice(parts, data, start, head_end) < 0 ||
            append_slice(parts, data, head_end, value_end) < 0)
            goto fail;
        last = value_end;
    }
    return finish_split(parts, data_obj, last);
fail:
    Py_DECREF(parts);
    return NULL;
}

static int two_digits(const unsigned char *p, int *value) {
    if (!is_digit(p[0]) || !is_digit(p[1])) return 0;
    *value = (p[0] - '0') * 10 + (p[1] - '0');
    return 1;
}

/* One value of TS_PLAIN (comparators/timestamps.py): YYYY-MM-DDTHH:MM:SSZ with 0, 3, 6 or 9 fraction
 * digits, days 01-28 of any month and year, 29-30 of months but February and 31 of the long months in
 * years other than 0000. */
static int ts_plain(const unsigned char *p, Py_ssize_t n) {
    int month, day, hour, minute, second;
    if (n != 20 && n != 24 && n != 27 && n != 30) return 0;
    for (int i = 0; i < 4; i++)
        if (!is_digit(p[i])) return 0;
    if (p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':' || p[n - 1] != 'Z') return 0;
    if (!two_digits(p + 5, &month) || !two_digits(p + 8, &day) || !two_digits(p + 11, &hour) ||
        !two_digits(p + 14, &minute) || !two_digits(p + 17, &second))
        return 0;
    if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || day < 1) return 0;
    if (day > 28) {
        int year_zero = p[0] == '0' && p[1] == '0' && p[2] == '0' && p[3] == '0';
        int long_month = month == 1 || month == 3 || month == 5 || month == 7 || month == 8 || month == 10 ||
                         month == 12;
        if (year_zero || month == 2 || day > 31 || (day == 31 && !long_month)) return 0;
    }
    if (n > 20) {
        if (p[19] != '.') return 0;
        for (Py_ssize_t i = 20; i < n - 1; i++)
            if (!is_digit(p[i])) return 0;
    }
    return 1;
}

static PyObject *all_ts_plain(PyObject *self, PyObject *arg) {
    PyObject *seq = PySequence_Fast(arg, "all_ts_plain() takes a sequence of bytes");
    if (seq == NULL) return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    int all = 1;
    for (Py_ssize_t i = 0; i < count && all; i++) {
        if (!PyBytes_Check(items[i])) {
            Py_DECREF(seq);
            PyErr_SetString(PyExc_TypeError, "all_ts_plain() takes a sequence of bytes");
            return NULL;
        }
        all = ts_plain((const unsigned char *)PyBytes_AS_STRING(items[i]), PyBytes_GET_SIZE(items[i]));
    }
    Py_DECREF(seq);
    return PyBool_FromLong(all);
}

/* ---------------------------------------------------------------- locating a change in canonical JSON */

typedef struct {
    char kind;                  // '{' or '['
    int expecting_key;          // an object between '{' or ',' and ':'
    Py_ssize_t value_start;     // where the current child value starts; -1 between children
    Py_ssize_t index;           // arrays: the current element's index
    Py_ssize_t key_start, key_end;  // objects: the current member's key, quotes included
} Level;

typedef struct {
    Level *items;
    Py_ssize_t depth, cap;
} Stack;

static int push(Stack *stack, char kind) {
    if (stack->depth == stack->cap) {
        Py_ssize_t cap = stack->cap * 2 + 16;
        Level *grown = PyMem_Realloc(stack->items, (size_t)cap * sizeof(Level));
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        stack->items = grown;
        stack->cap = cap;
    }
    Level *level = &stack->items[stack->depth++];
    level->kind = kind;
    level->expecting_key = kind == '{';
    level->value_start = -1;
    level->index = 0;
    level->key_start = level->key_end = -1;
    return 0;
}

/* The nesting at `limit` of compact JSON (no whitespace, as orjson writes it): the open containers and,
 * per container, where its current child starts. *in_string: whether limit lies inside a string. */
static int scan_to(const unsigned char *d, Py_ssize_t limit, Stack *stack, int *in_string, int *escaped) {
    int str = 0, esc = 0;
    for (Py_ssize_t i = 0; i < limit; i++) {
        unsigned char ch = d[i];
        Level *top = stack->depth ? &stack->items[stack->depth - 1] : NULL;
        if (str) {
            if (esc) esc = 0;
            else if (ch == '\\') esc = 1;
            else if (ch == '"') {
                str = 0;
                if (top && top->kind == '{' && top->expecting_key && top->key_end == -1) top->key_end = i + 1;
            }
            continue;
        }
        switch (ch) {
            case '"':
                str = 1;
                if (top && top->kind == '{' && top->expecting_key) {
                    top->key_start = i;
                    top->key_end = -1;
                } else if (top && top->value_start == -1) {
                    top->value_start = i;
                }
                break;
            case '{':
            case '[':
                if (top && top->value_start == -1) top->value_start = i;
                if (push(stack, (char)ch) < 0) return -1;
                break;
            case '}':
            case ']':
                if (stack->depth) stack->depth--;
                break;
            case ':':
                if (top) top->expecting_key = 0;
                break;
            case ',':
                if (top) {
                    top->value_start = -1;
                    if (top->kind == '[') top->index++;
                    else top->expecting_key = 1;
                }
                break;
            default:
                if (top && top->value_start == -1 && !(top->kind == '{' && top->expecting_key)) top->value_start = i;
        }
    }
    *in_string = str;
    *escaped = esc;
    return 0;
}

/* From `start` (with the string state there), where the current child of each open container ends: the
 * ',' or closing bracket after it at that container's level. ends[k] = -1 when the body ends first. */
static void ends_from(const unsigned char *d, Py_ssize_t n, Py_ssize_t start, Py_ssize_t depth, int str, int esc,
                      Py_ssize_t *ends) {
    Py_ssize_t open = depth;  // containers open at i (of those open at start, and any opened since)
    for (Py_ssize_t k = 0; k < depth; k++) ends[k] = -1;
    for (Py_ssize_t i = start; i < n; i++) {
        unsigned char ch = d[i];
        if (str) {
            if (esc) esc = 0;
            else if (ch == '\\') esc = 1;
            else if (ch == '"') str = 0;
            continue;
        }
        if (ch == '"') {
            str = 1;
        } else if (ch == '{' || ch == '[') {
            open++;
        } else if (ch == ',' || ch == '}' || ch == ']') {
            if (open >= 1 && open <= depth && ends[open - 1] == -1) ends[open - 1] = i;
            if (ch != ',') {
                open--;
                if (open == 0) return;  // the outermost container closed: every end is known
            }
        }
    }
}

/* Where two different canonical JSON documents differ, when that lies within one value at the same path
 * of both and everything around it is the same bytes: (start, primary_end, candidate_end, path), path
 * being per container an array index or the (start, end) of the member's key in the primary. None when
 * the difference is not inside one such value (lengths of a container differ, keys differ, ...). */
static PyObject *locate_change(PyObject *self, PyObject *args) {
    PyObject *p_obj, *c_obj;
    if (!PyArg_ParseTuple(args, "SS:locate_change", &p_obj, &c_obj)) return NULL;
    const unsigned char *p = (const unsigned char *)PyBytes_AS_STRING(p_obj);
    const unsigned char *c = (const unsigned char *)PyBytes_AS_STRING(c_obj);
    Py_ssize_t np = PyBytes_GET_SIZE(p_obj), nc = PyBytes_GET_SIZE(c_obj);
    Py_ssize_t shortest = np < nc ? np : nc, prefix = 0, suffix = 0;
    while (prefix < shortest && p[prefix] == c[prefix]) prefix++;
    if (prefix == np && np == nc) Py_RETURN_NONE;  // equal
    while (suffix < shortest - prefix && p[np - 1 - suffix] == c[nc - 1 - suffix]) suffix++;
    Stack stack = {NULL, 0, 0};
    Py_ssize_t *ends_p = NULL, *ends_c = NULL;
    PyObject *result = NULL;
    int str, esc;
    if (scan_to(p, prefix, &stack, &str, &esc) < 0) goto done;
    if (stack.depth == 0) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    ends_p = PyMem_Malloc((size_t)stack.depth * sizeof(Py_ssize_t));
    ends_c = PyMem_Malloc((size_t)stack.depth * sizeof(Py_ssize_t));
    if (ends_p == NULL || ends_c == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    ends_from(p, np, prefix, stack.depth, str, esc, ends_p);
    ends_from(c, nc, prefix, stack.depth, str, esc, ends_c);
    for (Py_ssize_t k = stack.depth - 1; k >= 0; k--) {
        Level *level = &stack.items[k];
        if (level->value_start == -1 || (level->kind == '{' && level->expecting_key)) continue;
        Py_ssize_t ep = ends_p[k], ec = ends_c[k];
        if (ep == -1 || ec == -1 || ep < np - suffix || ec < nc - suffix || np - ep != nc - ec) continue;
        PyObject *path = PyList_New(k + 1);
        if (path == NULL) goto done;
        for (Py_ssize_t j = 0; j <= k; j++) {
            Level *at = &stack.items[j];
            PyObject *step = at->kind == '[' ? PyLong_FromSsize_t(at->index)
                                             : Py_BuildValue("(nn)", at->key_start, at->key_end);
            if (step == NULL) {
                Py_DECREF(path);
                goto done;
            }
            PyList_SET_ITEM(path, j, step);
        }
        result = Py_BuildValue("(nnnN)", level->value_start, ep, ec, path);
        goto done;
    }
    result = Py_NewRef(Py_None);
done:
    PyMem_Free(stack.items);
    PyMem_Free(ends_p);
    PyMem_Free(ends_c);
    return result;
}

/* scan.has_long_integer: 19 or more decimal digits in a row somewhere (no copy of the body, as the
 * Python form's translate makes). Skips 19 bytes at a time while the byte there is no digit. */
static PyObject *has_long_integer(PyObject *self, PyObject *arg) {
    if (!PyBytes_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "has_long_integer() takes bytes");
        return NULL;
    }
    const unsigned char *d = (const unsigned char *)PyBytes_AS_STRING(arg);
    Py_ssize_t n = PyBytes_GET_SIZE(arg), i = 0;
    while (i + 19 <= n) {
        Py_ssize_t probe = i + 18;  // a run of 19 starting in [i, i + 19) covers it
        if (!is_digit(d[probe])) {
            i = probe + 1;
            continue;
        }
        Py_ssize_t start = probe, end = probe + 1;
        while (start > i && is_digit(d[start - 1])) start--;
        while (end < n && is_digit(d[end]) && end - start < 19) end++;
        if (end - start >= 19) Py_RETURN_TRUE;
        i = end + 1;
    }
    Py_RETURN_FALSE;
}

static PyMethodDef methods[] = {
    {"split_uuids", split_uuids, METH_O, "[text, uuid, text, ...]: scan.split_uuids in C."},
    {"replace_hex_runs", replace_hex_runs, METH_VARARGS,
     "replace_hex_runs(data, length, replacement, max_digit_run): scan.replace_hex_runs in C (-1: no limit)."},
    {"split_members", split_members, METH_VARARGS,
     "split_members(data, suffix, names): MemberStrings' split in C: [text, head, value, text, ...]."},
    {"contains", contains, METH_VARARGS, "contains(data, literal): literal in data (memchr to the first byte, then compare)."},
    {"replace_plain_members", replace_plain_members, METH_VARARGS,
     "replace_plain_members(data, suffix, names, token): every member value -> token when all are TS_PLAIN."},
    {"replace_at_boundaries", replace_at_boundaries, METH_VARARGS,
     "replace_at_boundaries(data, literal, token): None when an occurrence does not end at a path boundary."},
    {"uuids_in_step", uuids_in_step, METH_VARARGS, "uuids_in_step(texts, text): fastpath._uuids_in_step in C."},
    {"locate_change", locate_change, METH_VARARGS,
     "locate_change(primary, candidate): (start, primary_end, candidate_end, path) of the one value that differs."},
    {"has_long_integer", has_long_integer, METH_O, "scan.has_long_integer in C."},
    {"all_ts_plain", all_ts_plain, METH_O, "True when every value is a TS_PLAIN timestamp."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, .m_name = "comparators._scan", .m_doc = NULL, .m_size = -1, .m_methods = methods};

PyMODINIT_FUNC PyInit__scan(void) {
    init_tables();
    return PyModule_Create(&module);
}
