/* The fast path of detector.records: request records (contract §1) from JSON straight into
 * columns, with string columns dictionary-encoded, in one pass of C per batch.
 *
 * It accepts only what it can prove that msgspec would accept with the same values: any
 * doubt (an RFC 3339 time, a value out of range, a lone surrogate, a duplicate key, a
 * nested unknown value too deep, malformed JSON...) leaves the record to the msgspec path,
 * which then decodes or rejects it with msgspec's own reason. So this file never rejects,
 * and its only way to be wrong is to accept or read a value differently, which the
 * differential tests against msgspec check.
 *
 * Prompt text only passes through: it becomes a Python string and is never copied elsewhere.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define XXH_INLINE_ALL
#include "xxhash.h"

/* The interned columns, in the order of detector.records.INTERNED. */
enum { S_ACCOUNT, S_ORG, S_IP, S_UA, S_TEXT, S_FP, N_INTERNED };
/* The integer columns, in the order of detector.records._INT_COLUMNS. */
enum { I_STATUS, I_PROMPT, I_COMPLETION, I_MAX, N_INTS };
/* The flag columns, in the order of detector.records._FLAG_COLUMNS. */
enum { B_OK, B_FINISH_LENGTH, B_REASONING, B_LOGPROBS, B_MULTI_N, N_FLAGS };

typedef enum {
    K_UNKNOWN, K_TS, K_ACCOUNT, K_ORG, K_IP, K_UA, K_TEXT, K_FP,
    K_REQUEST, K_APIKEY, K_MODEL, K_ENDPOINT, K_FINISH,
    K_STATUS, K_PROMPT, K_COMPLETION, K_MAX, K_LOGPROBS, K_N,
    K_LATENCY, K_TEMPERATURE, K_REASONING, N_KEYS
} Key;

#define MAX_DEPTH 32

/* The string fields: the interned column each fills (-1: checked, not kept), and the
 * limits of detector.records.RequestRecord, in code points. */
typedef struct {
    int column;
    Py_ssize_t min_chars, max_chars;
    int nullable;
} StringField;

static const StringField STRING_FIELDS[N_KEYS] = {
    [K_ACCOUNT] = {S_ACCOUNT, 1, 256, 0},
    [K_ORG] = {S_ORG, 0, 256, 1},
    [K_IP] = {S_IP, 0, 64, 1},
    [K_UA] = {S_UA, 0, 1024, 1},
    [K_TEXT] = {S_TEXT, 0, PY_SSIZE_T_MAX, 1},
    [K_FP] = {S_FP, 0, 256, 1},
    [K_REQUEST] = {-1, 0, 256, 1},
    [K_APIKEY] = {-1, 0, 256, 1},
    [K_MODEL] = {-1, 0, 256, 1},
    [K_ENDPOINT] = {-1, 0, 256, 1},
    [K_FINISH] = {-1, 0, 64, 1},
};

typedef struct {
    const char *s; /* decoded UTF-8 (the input itself, or the arena when escaped) */
    Py_ssize_t len;
    Py_ssize_t chars;
    int present; /* 0 absent or null, 1 a string */
} Str;

/* A hash table slot, 8 bytes so that a batch's tables stay in cache; the string itself is
 * in the table's entries, by code. */
typedef struct {
    uint32_t tag; /* the hash's high half */
    int32_t code; /* -1: empty slot */
} Slot;

typedef struct {
    const char *s;
    Py_ssize_t len;
} Entry;

typedef struct {
    Slot *slots;
    Entry *entries;
    size_t mask;
    Py_ssize_t none_code;
    PyObject *values; /* list */
} Table;

/* memcmp(a, b, n) == 0, inline: most compares here are of ids and keys under 32 bytes, where
 * a call to memcmp costs more than the compare. */
static inline int same_bytes(const char *a, const char *b, size_t n) {
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            if (a[i] != b[i]) return 0;
        return 1;
    }
    uint64_t x, y;
    for (size_t i = 0; i + 8 <= n; i += 8) {
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y) return 0;
    }
    /* The last eight bytes, overlapping the loop's last word when n is not a multiple. */
    memcpy(&x, a + n - 8, 8);
    memcpy(&y, b + n - 8, 8);
    return x == y;
}

/* Each known key's name: a key is looked up here, and a guessed key checked in place. */
typedef struct {
    const char *name;
    size_t len;
} KeyName;

#define KEY(k, name) [k] = {name, sizeof(name) - 1}
static const KeyName KEYS[N_KEYS] = {
    KEY(K_TS, "ts"), KEY(K_ACCOUNT, "account_id"), KEY(K_ORG, "org_id"),
    KEY(K_IP, "client_ip"), KEY(K_UA, "user_agent"), KEY(K_TEXT, "prompt_text"),
    KEY(K_FP, "prompt_fingerprint"), KEY(K_REQUEST, "request_id"),
    KEY(K_APIKEY, "api_key_id"), KEY(K_MODEL, "model"), KEY(K_ENDPOINT, "endpoint"),
    KEY(K_FINISH, "finish_reason"), KEY(K_STATUS, "status"), KEY(K_PROMPT, "prompt_tokens"),
    KEY(K_COMPLETION, "completion_tokens"), KEY(K_MAX, "max_tokens"),
    KEY(K_LOGPROBS, "logprobs"), KEY(K_N, "n"), KEY(K_LATENCY, "latency_ms"),
    KEY(K_TEMPERATURE, "temperature"), KEY(K_REASONING, "reasoning"),
};
#undef KEY

/* The key named k[0..n); a guess from the record before usually spares this search. */
static Key key_of(const char *k, size_t n) {
    for (int key = K_UNKNOWN + 1; key < N_KEYS; key++)
        if (KEYS[key].len == n && same_bytes(k, KEYS[key].name, n)) return (Key)key;
    return K_UNKNOWN;
}

/* The keys of the last record, by position: a producer writes every record's fields in
 * one order, so the key at a position is checked with one compare instead of scanned
 * and looked up. */
#define MAX_GUESSED 32
typedef struct {
    Key keys[MAX_GUESSED]; /* K_UNKNOWN: no guess */
} KeyOrder;

static inline const char *skip_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
    return p;
}

/* Strict UTF-8 (no overlongs, no surrogates, at most U+10FFFF), as Python decodes it.
 * Returns the number of code points, or -1. */
static Py_ssize_t utf8_chars(const unsigned char *s, Py_ssize_t n) {
    Py_ssize_t chars = 0, i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) { i++; chars++; continue; }
        if (c >= 0xC2 && c <= 0xDF) {
            if (i + 1 >= n || (s[i + 1] & 0xC0) != 0x80) return -1;
            i += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if (i + 2 >= n || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80) return -1;
            if (c == 0xE0 && s[i + 1] < 0xA0) return -1;  /* overlong */
            if (c == 0xED && s[i + 1] >= 0xA0) return -1; /* surrogate */
            i += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            if (i + 3 >= n || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80
                || (s[i + 3] & 0xC0) != 0x80)
                return -1;
            if (c == 0xF0 && s[i + 1] < 0x90) return -1; /* overlong */
            if (c == 0xF4 && s[i + 1] >= 0x90) return -1; /* past U+10FFFF */
            i += 4;
        } else {
            return -1;
        }
        chars++;
    }
    return chars;
}

static inline int hex4(const char *p, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

/* Whether none of eight bytes is a quote, a backslash, a control or non-ASCII. */
static inline int plain8(const char *p) {
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t w;
    memcpy(&w, p, 8);
    uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
    uint64_t special = ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash)
                       | ((w - ones * 0x20) & ~w) | w;
    return !(special & highs);
}

/* A string starting at *pp (on its opening quote). Escapes are decoded into *arena.
 * Returns 0 when the record must go to msgspec. */
static int parse_string(const char **pp, const char *end, char **arena, Str *out) {
    const char *p = *pp + 1, *start = p;
    int ascii = 1;
    while (end - p >= 8 && plain8(p)) p += 8;
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') break;
        if (c == '\\') goto escaped;
        if (c < 0x20) return 0;
        ascii &= c < 0x80;
        p++;
    }
    if (p >= end) return 0;
    out->s = start;
    out->len = p - start;
    out->chars = ascii ? out->len : utf8_chars((const unsigned char *)start, out->len);
    if (out->chars < 0) return 0;
    out->present = 1;
    *pp = p + 1;
    return 1;

escaped:;
    char *w = *arena, *wstart = w;
    memcpy(w, start, (size_t)(p - start));
    w += p - start;
    while (p < end) {
        /* Prompts escape their line breaks: the runs between escapes go eight bytes at a
         * time too (a run copies as many bytes as it reads, so the arena still suffices). */
        while (end - p >= 8 && plain8(p)) {
            memcpy(w, p, 8);
            w += 8;
            p += 8;
        }
        if (p >= end) break;
        unsigned char c = (unsigned char)*p;
        if (c == '"') break;
        if (c < 0x20) return 0;
        if (c != '\\') { ascii &= c < 0x80; *w++ = (char)c; p++; continue; }
        if (p + 1 >= end) return 0;
        char e = p[1];
        p += 2;
        switch (e) {
        case '"': *w++ = '"'; break;
        case '\\': *w++ = '\\'; break;
        case '/': *w++ = '/'; break;
        case 'b': *w++ = '\b'; break;
        case 'f': *w++ = '\f'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        case 't': *w++ = '\t'; break;
        case 'u': {
            unsigned cp, low;
            if (end - p < 4 || !hex4(p, &cp)) return 0;
            p += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return 0; /* lone low surrogate */
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, &low)
                    || low < 0xDC00 || low > 0xDFFF)
                    return 0;
                p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
            ascii &= cp < 0x80;
            if (cp < 0x80) {
                *w++ = (char)cp;
            } else if (cp < 0x800) {
                *w++ = (char)(0xC0 | (cp >> 6));
                *w++ = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                *w++ = (char)(0xE0 | (cp >> 12));
                *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                *w++ = (char)(0x80 | (cp & 0x3F));
            } else {
                *w++ = (char)(0xF0 | (cp >> 18));
                *w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
                *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                *w++ = (char)(0x80 | (cp & 0x3F));
            }
            break;
        }
        default: return 0;
        }
    }
    if (p >= end) return 0;
    out->s = wstart;
    out->len = w - wstart;
    out->chars = ascii ? out->len : utf8_chars((const unsigned char *)wstart, out->len);
    if (out->chars < 0) return 0;
    out->present = 1;
    *arena = w;
    *pp = p + 1;
    return 1;
}

/* A JSON number at *pp: its span, and whether it is an integer literal. */
static int parse_number(const char **pp, const char *end, int *integer) {
    const char *p = *pp;
    *integer = 1;
    if (p < end && *p == '-') p++;
    if (p >= end) return 0;
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (p < end && *p >= '0' && *p <= '9') p++;
    } else {
        return 0;
    }
    if (p < end && *p == '.') {
        *integer = 0;
        p++;
        if (p >= end || *p < '0' || *p > '9') return 0;
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        *integer = 0;
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p >= end || *p < '0' || *p > '9') return 0;
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    *pp = p;
    return 1;
}

static inline int literal(const char **pp, const char *end, const char *word, size_t n) {
    if ((size_t)(end - *pp) < n || memcmp(*pp, word, n) != 0) return 0;
    *pp += n;
    return 1;
}

static const double POW10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A valid JSON number's value when it is exact by Clinger's fast path: a mantissa below
 * 2^53 and a power of ten at most 22, both exact doubles, so one IEEE multiplication or
 * division rounds correctly. Returns 0 for the numbers that need a full parser. */
static int fast_double(const char *p, const char *end, double *out) {
    int negative = *p == '-';
    p += negative;
    uint64_t mantissa = 0;
    int digits = 0, exponent = 0;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        if (digits < 19) mantissa = mantissa * 10 + (uint64_t)(*p - '0');
        else exponent++;
        digits += mantissa != 0;
    }
    if (p < end && *p == '.') {
        for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
            if (digits >= 19) continue;
            mantissa = mantissa * 10 + (uint64_t)(*p - '0');
            digits += mantissa != 0;
            exponent--;
        }
    }
    if (digits >= 19) return 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        int sign = 1, e = 0;
        if (*p == '+' || *p == '-') sign = *p++ == '-' ? -1 : 1;
        for (; p < end && *p >= '0' && *p <= '9'; p++) {
            if (e > 1000) return 0;
            e = e * 10 + (*p - '0');
        }
        exponent += sign * e;
    }
    if (mantissa >= (1ULL << 53) || exponent < -22 || exponent > 22) return 0;
    double value = (double)mantissa;
    value = exponent < 0 ? value / POW10[-exponent] : value * POW10[exponent];
    *out = negative ? -value : value;
    return 1;
}

/* A finite number: what msgspec reads for a float field (an integer literal too). */
static int parse_float(const char **pp, const char *end, double *out) {
    const char *start = *pp;
    int integer;
    if (!parse_number(pp, end, &integer)) return 0;
    if (fast_double(start, *pp, out)) return 1;
    /* The input is a bytes object, NUL-terminated, and the span is a valid JSON number,
     * so Python's correctly rounded parser stops where the number does. */
    char *stop;
    double value = PyOS_string_to_double(start, &stop, NULL);
    if (value == -1.0 && PyErr_Occurred()) { PyErr_Clear(); return 0; }
    if (stop != *pp || !isfinite(value)) return 0;
    *out = value;
    return 1;
}

/* A non-negative integer literal below 10^15, exact as the double the msgspec path makes of
 * it (larger ones are left to that path). */
static int parse_count(const char **pp, const char *end, int64_t *out) {
    const char *p = *pp;
    int integer;
    if (p >= end || *p == '-') return 0;
    if (!parse_number(pp, end, &integer) || !integer || *pp - p > 15) return 0;
    int64_t v = 0;
    for (; p < *pp; p++) v = v * 10 + (*p - '0');
    *out = v;
    return 1;
}

/* Any JSON value, checked and skipped (unknown fields). */
static int skip_value(const char **pp, const char *end, char **arena, int depth) {
    const char *p = *pp;
    if (p >= end || depth > MAX_DEPTH) return 0;
    Str s;
    int integer;
    switch (*p) {
    case '"': {
        /* Skipped strings are decoded into the arena and then given back. */
        char *mark = *arena;
        int ok = parse_string(pp, end, arena, &s);
        *arena = mark;
        return ok;
    }
    case 't': return literal(pp, end, "true", 4);
    case 'f': return literal(pp, end, "false", 5);
    case 'n': return literal(pp, end, "null", 4);
    case '[':
        p = skip_ws(p + 1, end);
        if (p < end && *p == ']') { *pp = p + 1; return 1; }
        for (;;) {
            if (!skip_value(&p, end, arena, depth + 1)) return 0;
            p = skip_ws(p, end);
            if (p < end && *p == ',') { p = skip_ws(p + 1, end); continue; }
            if (p < end && *p == ']') { *pp = p + 1; return 1; }
            return 0;
        }
    case '{':
        p = skip_ws(p + 1, end);
        if (p < end && *p == '}') { *pp = p + 1; return 1; }
        for (;;) {
            if (p >= end || *p != '"') return 0;
            char *mark = *arena;
            int ok = parse_string(&p, end, arena, &s);
            *arena = mark;
            if (!ok) return 0;
            p = skip_ws(p, end);
            if (p >= end || *p != ':') return 0;
            p = skip_ws(p + 1, end);
            if (!skip_value(&p, end, arena, depth + 1)) return 0;
            p = skip_ws(p, end);
            if (p < end && *p == ',') { p = skip_ws(p + 1, end); continue; }
            if (p < end && *p == '}') { *pp = p + 1; return 1; }
            return 0;
        }
    default:
        return parse_number(pp, end, &integer);
    }
}

/* An optional string of at most max_chars code points (min_chars for account_id). */
static int parse_opt_string(const char **pp, const char *end, char **arena, Str *out,
                            Py_ssize_t min_chars, Py_ssize_t max_chars, int nullable) {
    if (**pp == 'n') {
        if (!nullable || !literal(pp, end, "null", 4)) return 0;
        out->present = 0;
        return 1;
    }
    if (**pp != '"' || !parse_string(pp, end, arena, out)) return 0;
    return out->chars >= min_chars && out->chars <= max_chars;
}

/* The code of s in t, adding it (as a new str object) when first seen. -1 on error. */
static Py_ssize_t intern_str(Table *t, const Str *s) {
    if (!s->present) {
        if (t->none_code < 0) {
            t->none_code = PyList_GET_SIZE(t->values);
            if (PyList_Append(t->values, Py_None) < 0) return -1;
        }
        return t->none_code;
    }
    uint64_t h = XXH3_64bits(s->s, (size_t)s->len);
    uint32_t tag = (uint32_t)(h >> 32);
    size_t i = (size_t)h & t->mask;
    for (;;) {
        Slot *slot = &t->slots[i];
        if (slot->code < 0) break;
        if (slot->tag == tag) {
            Entry *entry = &t->entries[slot->code];
            if (entry->len == s->len && same_bytes(entry->s, s->s, (size_t)s->len))
                return slot->code;
        }
        i = (i + 1) & t->mask;
    }
    PyObject *value;
    if (s->chars == s->len) {
        value = PyUnicode_New(s->len, 127);
        if (value == NULL) return -1;
        memcpy(PyUnicode_DATA(value), s->s, (size_t)s->len);
    } else {
        value = PyUnicode_DecodeUTF8(s->s, s->len, "strict");
        if (value == NULL) return -1;
    }
    Py_ssize_t code = PyList_GET_SIZE(t->values);
    int failed = PyList_Append(t->values, value);
    Py_DECREF(value);
    if (failed) return -1;
    t->slots[i].tag = tag;
    t->slots[i].code = (int32_t)code;
    t->entries[code].s = s->s;
    t->entries[code].len = s->len;
    return code;
}

typedef struct {
    double ts;
    int64_t ints[N_INTS];
    uint8_t flags[N_FLAGS];
    Str strs[N_INTERNED];
} Row;

/* One record into row; 0 when it must go to msgspec. */
static int parse_record(const char *p, const char *end, char **arena, Row *row,
                        KeyOrder *order) {
    uint32_t seen = 0;
    int position = 0;
    Str scratch;
    double number;
    int64_t count;
    /* Only what a missing field leaves: a memset of the whole row (its strings' spans too)
     * showed in profiles. */
    for (int f = 0; f < N_INTERNED; f++) row->strs[f].present = 0;
    memset(row->flags, 0, sizeof(row->flags));
    row->ints[I_STATUS] = 200;
    row->ints[I_PROMPT] = row->ints[I_COMPLETION] = 0;
    row->ints[I_MAX] = -1;
    p = skip_ws(p, end);
    if (p >= end || *p != '{') return 0;
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}') return 0; /* no ts, no account_id */
    for (;;) {
        if (p >= end || *p != '"') return 0;
        const char *k = ++p;
        Key key = K_UNKNOWN;
        Key guess = position < MAX_GUESSED ? order->keys[position] : K_UNKNOWN;
        size_t len = KEYS[guess].len;
        if (guess != K_UNKNOWN && (size_t)(end - p) > len && p[len] == '"'
            && same_bytes(p, KEYS[guess].name, len)) {
            key = guess;
            p += len;
        } else {
            while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20
                   && (unsigned char)*p < 0x80)
                p++;
            if (p >= end || *p != '"') return 0; /* escaped, non-ASCII, unterminated: msgspec */
            key = key_of(k, (size_t)(p - k));
            if (position < MAX_GUESSED) order->keys[position] = key;
        }
        position++;
        p = skip_ws(p + 1, end);
        if (p >= end || *p != ':') return 0;
        p = skip_ws(p + 1, end);
        if (p >= end) return 0;
        if (key != K_UNKNOWN) {
            if (seen & (1u << key)) return 0; /* duplicate key */
            seen |= 1u << key;
        }
        int is_null = *p == 'n';
        switch (key) {
        case K_UNKNOWN:
            if (!skip_value(&p, end, arena, 1)) return 0;
            break;
        case K_TS:
            if (!parse_float(&p, end, &row->ts)) return 0;
            if (!(row->ts >= 946684800.0 && row->ts <= 4102444800.0)) return 0;
            break;
        case K_ACCOUNT: case K_ORG: case K_IP: case K_UA: case K_TEXT: case K_FP:
        case K_REQUEST: case K_APIKEY: case K_MODEL: case K_ENDPOINT: case K_FINISH: {
            const StringField *field = &STRING_FIELDS[key];
            Str *out = field->column >= 0 ? &row->strs[field->column] : &scratch;
            char *mark = *arena;
            if (!parse_opt_string(&p, end, arena, out, field->min_chars, field->max_chars,
                                  field->nullable))
                return 0;
            if (field->column < 0) *arena = mark; /* checked, not kept: its bytes may go */
            if (key == K_FINISH)
                row->flags[B_FINISH_LENGTH] =
                    out->present && out->len == 6 && memcmp(out->s, "length", 6) == 0;
            break;
        }
        case K_STATUS: case K_PROMPT: case K_COMPLETION: case K_MAX: case K_LOGPROBS: case K_N:
            if (is_null) {
                if (!literal(&p, end, "null", 4)) return 0;
                break;
            }
            if (!parse_count(&p, end, &count)) return 0;
            if (key == K_STATUS) {
                if (count < 100 || count > 599) return 0;
                row->ints[I_STATUS] = count;
            } else if (key == K_PROMPT) {
                row->ints[I_PROMPT] = count;
            } else if (key == K_COMPLETION) {
                row->ints[I_COMPLETION] = count;
            } else if (key == K_MAX) {
                row->ints[I_MAX] = count;
            } else if (key == K_LOGPROBS) {
                row->flags[B_LOGPROBS] = count != 0;
            } else {
                if (count < 1) return 0;
                row->flags[B_MULTI_N] = count > 1;
            }
            break;
        case K_LATENCY: case K_TEMPERATURE:
            if (is_null) {
                if (!literal(&p, end, "null", 4)) return 0;
                break;
            }
            if (!parse_float(&p, end, &number)) return 0;
            if (key == K_LATENCY && !(number >= 0.0)) return 0;
            break;
        case K_REASONING:
            if (*p == 't') {
                if (!literal(&p, end, "true", 4)) return 0;
                row->flags[B_REASONING] = 1;
            } else if (!literal(&p, end, *p == 'f' ? "false" : "null", *p == 'f' ? 5 : 4)) {
                return 0;
            }
            break;
        default:
            return 0;
        }
        p = skip_ws(p, end);
        if (p < end && *p == ',') { p = skip_ws(p + 1, end); continue; }
        if (p < end && *p == '}') { p++; break; }
        return 0;
    }
    if (skip_ws(p, end) != end) return 0;
    if (!(seen & (1u << K_TS)) || !(seen & (1u << K_ACCOUNT))) return 0;
    row->flags[B_OK] = 1;
    return 1;
}

static int writable(PyObject *obj, Py_buffer *view, Py_ssize_t bytes, const char *name) {
    if (PyObject_GetBuffer(obj, view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0) return 0;
    if (view->len != bytes) {
        PyErr_Format(PyExc_ValueError, "%s: %zd bytes, expected %zd", name, view->len, bytes);
        PyBuffer_Release(view);
        return 0;
    }
    return 1;
}

/* One value of a batch: its bytes, or NULL for a value this pass leaves to the caller. */
typedef struct {
    const char *start;
    Py_ssize_t size;
} Span;

/* Decode spans[0..n) into the buffers; returns the list of distinct values per interned
 * column. The bytes the spans point to must stay alive until it returns. */
static PyObject *decode_spans(const Span *spans, Py_ssize_t n, PyObject *ts_obj,
                              PyObject *ints_obj, PyObject *flags_obj, PyObject *codes_obj,
                              Py_ssize_t max_bytes) {
    if (n >= INT32_MAX) return PyErr_Format(PyExc_ValueError, "a batch of %zd values", n);
    Py_ssize_t total = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (spans[i].start != NULL && spans[i].size <= max_bytes) total += spans[i].size;
    /* Everything below is released at done, whatever was acquired before a failure (a
     * released view without an object, a free of NULL and a NULL list are no-ops). */
    Py_buffer ts_view = {0}, ints_view = {0}, flags_view = {0}, codes_view = {0};
    PyObject *result = NULL;
    char *arena_base = NULL;
    Slot *slots = NULL;
    Entry *entries = NULL;
    Table tables[N_INTERNED];
    for (int f = 0; f < N_INTERNED; f++) tables[f].values = NULL;
    if (!writable(ts_obj, &ts_view, n * 8, "ts")
        || !writable(ints_obj, &ints_view, n * 8 * N_INTS, "ints")
        || !writable(flags_obj, &flags_view, n * N_FLAGS, "flags")
        || !writable(codes_obj, &codes_view, n * 8 * N_INTERNED, "codes"))
        goto done;
    double *ts = ts_view.buf;
    int64_t *ints = ints_view.buf, *codes = codes_view.buf;
    uint8_t *flags = flags_view.buf;

    size_t capacity = 16;
    while (capacity < (size_t)n * 2) capacity <<= 1;
    /* Decoded escapes never outgrow their source, so one arena of the input's size holds
     * every escaped string of the batch; the tables point into it and into the input. */
    arena_base = PyMem_Malloc((size_t)total + 1);
    slots = PyMem_Malloc(sizeof(Slot) * capacity * N_INTERNED);
    /* Codes run to n: every record's value distinct, and None. */
    entries = PyMem_Malloc(sizeof(Entry) * ((size_t)n + 1) * N_INTERNED);
    if (arena_base == NULL || slots == NULL || entries == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (size_t i = 0; i < capacity * N_INTERNED; i++) slots[i].code = -1;
    for (int f = 0; f < N_INTERNED; f++) {
        tables[f].slots = slots + capacity * (size_t)f;
        tables[f].entries = entries + ((size_t)n + 1) * (size_t)f;
        tables[f].mask = capacity - 1;
        tables[f].none_code = -1;
        tables[f].values = PyList_New(0);
        if (tables[f].values == NULL) goto done;
    }
    char *arena = arena_base;
    Row row;
    KeyOrder order = {{K_UNKNOWN}};
    for (Py_ssize_t i = 0; i < n; i++) {
        const Span *v = &spans[i];
        char *mark = arena;
        /* Oversized values are left to the caller, which rejects them. */
        if (v->start == NULL || v->size > max_bytes
            || !parse_record(v->start, v->start + v->size, &arena, &row, &order)) {
            arena = mark;
            for (int f = 0; f < N_FLAGS; f++) flags[(Py_ssize_t)f * n + i] = 0;
            for (int f = 0; f < N_INTERNED; f++) codes[(Py_ssize_t)f * n + i] = -1;
            continue;
        }
        ts[i] = row.ts;
        for (int f = 0; f < N_INTS; f++) ints[(Py_ssize_t)f * n + i] = row.ints[f];
        for (int f = 0; f < N_FLAGS; f++) flags[(Py_ssize_t)f * n + i] = row.flags[f];
        for (int f = 0; f < N_INTERNED; f++) {
            Py_ssize_t code = intern_str(&tables[f], &row.strs[f]);
            if (code < 0) goto done;
            codes[(Py_ssize_t)f * n + i] = code;
        }
    }
    result = PyList_New(N_INTERNED);
    if (result == NULL) goto done;
    for (int f = 0; f < N_INTERNED; f++) {
        PyList_SET_ITEM(result, f, tables[f].values);
        tables[f].values = NULL;
    }
done:
    for (int f = 0; f < N_INTERNED; f++) Py_XDECREF(tables[f].values);
    PyMem_Free(arena_base);
    PyMem_Free(slots);
    PyMem_Free(entries);
    PyBuffer_Release(&ts_view);
    PyBuffer_Release(&ints_view);
    PyBuffer_Release(&flags_view);
    PyBuffer_Release(&codes_view);
    return result;
}

PyDoc_STRVAR(decode_doc,
"decode(values, ts, ints, flags, codes, max_bytes) -> list of value lists\n\n"
"Decode the JSON values (a list; this pass reads the bytes among them of at most max_bytes)\n"
"into the given C-contiguous buffers: ts (float64, n), ints (int64, 4 x n), flags (uint8,\n"
"5 x n; row 0 says the value was decoded here) and codes (int64, 6 x n, positions into the\n"
"returned lists of distinct values). Values whose flag row 0 is 0 are left to the caller.");

static PyObject *decode(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *values, *ts_obj, *ints_obj, *flags_obj, *codes_obj;
    Py_ssize_t max_bytes;
    if (!PyArg_ParseTuple(args, "O!OOOOn", &PyList_Type, &values, &ts_obj, &ints_obj, &flags_obj,
                          &codes_obj, &max_bytes))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(values);
    Span *spans = PyMem_Malloc(sizeof(Span) * ((size_t)n + 1));
    if (spans == NULL) return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyList_GET_ITEM(values, i);
        /* Other buffers (bytearray, memoryview) are left to msgspec, which reads them all. */
        spans[i].start = PyBytes_Check(v) ? PyBytes_AS_STRING(v) : NULL;
        spans[i].size = PyBytes_Check(v) ? PyBytes_GET_SIZE(v) : 0;
    }
    /* The list holds the bytes while they are read: the pass runs no Python code. */
    PyObject *result = decode_spans(spans, n, ts_obj, ints_obj, flags_obj, codes_obj, max_bytes);
    PyMem_Free(spans);
    return result;
}

PyDoc_STRVAR(decode_lines_doc,
"decode_lines(buffer, bounds, ts, ints, flags, codes, max_bytes) -> list of value lists\n\n"
"As decode, for values that are slices of one buffer: bounds (int64, n x 2, C-contiguous)\n"
"holds the start and end of each value in buffer.");

static PyObject *decode_lines(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *buffer_obj, *bounds_obj, *ts_obj, *ints_obj, *flags_obj, *codes_obj;
    Py_ssize_t max_bytes;
    if (!PyArg_ParseTuple(args, "OOOOOOn", &buffer_obj, &bounds_obj, &ts_obj, &ints_obj,
                          &flags_obj, &codes_obj, &max_bytes))
        return NULL;
    Py_buffer buffer = {0}, bounds = {0};
    PyObject *result = NULL;
    Span *spans = NULL;
    if (PyObject_GetBuffer(buffer_obj, &buffer, PyBUF_SIMPLE) < 0
        || PyObject_GetBuffer(bounds_obj, &bounds, PyBUF_C_CONTIGUOUS) < 0)
        goto done;
    if (bounds.len % 16 != 0) {
        PyErr_Format(PyExc_ValueError, "bounds: %zd bytes, not pairs of int64", bounds.len);
        goto done;
    }
    Py_ssize_t n = bounds.len / 16;
    const int64_t *at = bounds.buf;
    spans = PyMem_Malloc(sizeof(Span) * ((size_t)n + 1));
    if (spans == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t start = at[2 * i], end = at[2 * i + 1];
        if (start < 0 || start > end || end > buffer.len) {
            PyErr_Format(PyExc_ValueError, "bounds[%zd]: [%lld, %lld) is not within %zd bytes",
                         i, (long long)start, (long long)end, buffer.len);
            goto done;
        }
        spans[i].start = (const char *)buffer.buf + start;
        spans[i].size = (Py_ssize_t)(end - start);
    }
    result = decode_spans(spans, n, ts_obj, ints_obj, flags_obj, codes_obj, max_bytes);
done:
    PyMem_Free(spans);
    PyBuffer_Release(&bounds);
    PyBuffer_Release(&buffer);
    return result;
}

/* bytes.isspace() of one byte; \n never occurs inside a line. */
static inline int is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

PyDoc_STRVAR(split_lines_doc,
"split_lines(buffer, start, line, final, bounds, numbers) -> (count, next_start, next_line)\n\n"
"Find the lines of buffer from byte start, which begins line number `line`, and write the\n"
"[start, end) of each one that is not blank into bounds (int64, capacity x 2) and its number\n"
"into numbers (int64, capacity), stopping when they are full. Lines end at \\n; trailing \\r\n"
"are not part of a line; a line of ASCII whitespace is blank. Without final, a last line\n"
"with no \\n is left: next_start is where it begins.");

static PyObject *split_lines(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *buffer_obj, *bounds_obj, *numbers_obj;
    Py_ssize_t start;
    long long line;
    int final;
    if (!PyArg_ParseTuple(args, "OnLpOO", &buffer_obj, &start, &line, &final, &bounds_obj,
                          &numbers_obj))
        return NULL;
    Py_buffer buffer = {0}, bounds = {0}, numbers = {0};
    PyObject *result = NULL;
    if (PyObject_GetBuffer(buffer_obj, &buffer, PyBUF_SIMPLE) < 0
        || PyObject_GetBuffer(numbers_obj, &numbers, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0
        || !writable(bounds_obj, &bounds, numbers.len * 2, "bounds"))
        goto done;
    if (start < 0 || start > buffer.len) {
        PyErr_Format(PyExc_ValueError, "start %zd is not within %zd bytes", start, buffer.len);
        goto done;
    }
    Py_ssize_t capacity = numbers.len / 8, count = 0;
    int64_t *out = bounds.buf, *number = numbers.buf;
    const char *base = buffer.buf, *p = base + start, *end = base + buffer.len;
    while (count < capacity && p < end) {
        const char *newline = memchr(p, '\n', (size_t)(end - p));
        if (newline == NULL && !final) break;
        const char *stop = newline == NULL ? end : newline, *last = stop;
        while (last > p && last[-1] == '\r') last--;
        const char *q = p;
        while (q < last && is_space((unsigned char)*q)) q++;
        if (q < last) {
            out[2 * count] = p - base;
            out[2 * count + 1] = last - base;
            number[count++] = line;
        }
        line++;
        p = newline == NULL ? end : newline + 1;
    }
    result = Py_BuildValue("nnL", count, (Py_ssize_t)(p - base), line);
done:
    PyBuffer_Release(&numbers);
    PyBuffer_Release(&bounds);
    PyBuffer_Release(&buffer);
    return result;
}

static PyMethodDef methods[] = {
    {"decode", decode, METH_VARARGS, decode_doc},
    {"decode_lines", decode_lines, METH_VARARGS, decode_lines_doc},
    {"split_lines", split_lines, METH_VARARGS, split_lines_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "detector._records", "Request records into columns, in C.", -1,
    methods,
};

PyMODINIT_FUNC PyInit__records(void) { return PyModule_Create(&module); }
