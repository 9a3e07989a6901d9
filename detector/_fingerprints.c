/* The fast path of detector.fingerprints: the exact, prefix and suffix hashes of ASCII
 * prompts, and the hashes of gateway fingerprints, in C.
 *
 * A prompt is taken only when it is ASCII, where Python's lower(), split() and the digit
 * mask of the template hashes have a plain byte-wise meaning; anything else is left to the
 * Python path (Unicode case mapping, Unicode whitespace and digits), which the differential
 * tests compare this file against. The hashes are xxHash's XXH3 with the seeds of the Python
 * path, from the same xxhash.h the xxhash package builds on (third_party/xxhash).
 *
 * Prompt text is read in place; its normalised form is handed back for the intent patterns,
 * only where it holds a literal some pattern needs, and lives only as long as the caller
 * keeps it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define XXH_INLINE_ALL
#include "xxhash.h"

/* The seeds of detector.fingerprints: exact text, template prefix, template suffix, gateway
 * fingerprint. */
enum { SEED_EXACT = 0, SEED_PREFIX = 1, SEED_SUFFIX = 2 };

/* str.split()'s whitespace among ASCII: \t \n \v \f \r, the four separators 0x1c-0x1f, space. */
static int is_space(unsigned char c) { return (c >= 9 && c <= 13) || (c >= 28 && c <= 32); }

/* 0 means "no prompt", so a hash of 0 becomes 1, as in the Python path. */
static uint64_t hash_bytes(const char *s, size_t len, uint64_t seed) {
    uint64_t h = XXH3_64bits_withSeed(s, len, seed);
    return h ? h : 1;
}

/* The digit mask of the template hashes (re.sub(r"\d+", "0", ...)): each run of digits
 * becomes one 0. Returns the masked length; out holds at least len bytes. */
static size_t mask_digits(const char *s, size_t len, char *out) {
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int digit = s[i] >= '0' && s[i] <= '9';
        if (!digit) out[o++] = s[i];
        else if (i == 0 || s[i - 1] < '0' || s[i - 1] > '9') out[o++] = '0';
    }
    return o;
}

typedef struct {
    char *norm;        /* the normalised text */
    char *masked;      /* a digit-masked slice of it */
    size_t *starts;    /* where each word of norm starts */
    size_t capacity;   /* bytes of norm and masked; words of starts */
} Scratch;

static int reserve(Scratch *s, size_t len) {
    if (len <= s->capacity) return 1;
    size_t capacity = len < 256 ? 256 : len;
    char *norm = PyMem_Realloc(s->norm, capacity);
    if (norm != NULL) s->norm = norm;
    char *masked = PyMem_Realloc(s->masked, capacity);
    if (masked != NULL) s->masked = masked;
    size_t *starts = PyMem_Realloc(s->starts, capacity * sizeof(size_t));
    if (starts != NULL) s->starts = starts;
    if (norm == NULL || masked == NULL || starts == NULL) {
        PyErr_NoMemory();
        return 0;
    }
    s->capacity = capacity;
    return 1;
}

static uint64_t masked_hash(Scratch *s, size_t from, size_t to, uint64_t seed) {
    return hash_bytes(s->masked, mask_digits(s->norm + from, to - from, s->masked), seed);
}

#define ONES 0x0101010101010101ULL
#define LOW7 0x7F7F7F7F7F7F7F7FULL
#define HIGHS 0x8080808080808080ULL

/* Eight ASCII bytes read as words and single spaces, none of them the last byte, so that
 * copying them continues the current word: then *spaces gets the high bit of each space's
 * byte. The byte tests are exact (no carry crosses a byte of ASCII input). */
static inline int plain_run(uint64_t w, uint64_t *spaces) {
    uint64_t printable = (w + ONES * (0x80 - ' ')) & HIGHS; /* space or above */
    uint64_t x = w ^ (ONES * ' ');
    uint64_t space = ~(((x & LOW7) + LOW7) | x | LOW7);
    if (printable != HIGHS || (space & (space << 8)) || (space >> 63)) return 0;
    *spaces = space;
    return 1;
}

/* Eight ASCII bytes lower-cased. */
static inline uint64_t lower8(uint64_t w) {
    uint64_t upper = (w + ONES * (0x80 - 'A')) & ~(w + ONES * (0x80 - 'Z' - 1)) & HIGHS;
    return w | upper >> 2;
}

/* The row of one ASCII prompt, leaving its normalised form in s->norm; returns that
 * form's length, or -1 on error. */
static Py_ssize_t fingerprint_ascii(const char *text, size_t len, size_t prefix_words,
                                    size_t suffix_words, Scratch *s, uint64_t row[4]) {
    if (!reserve(s, len + 1)) return -1;
    /* lower() and " ".join(split()) in one pass, noting where each word starts. */
    size_t n = 0, words = 0;
    for (size_t i = 0; i < len;) {
        while (i < len && is_space((unsigned char)text[i])) i++;
        if (i == len) break;
        if (words) s->norm[n++] = ' ';
        s->starts[words++] = n;
        /* Inside a word: eight bytes at a time while they hold only printable bytes and
         * single spaces between them, as running text does; byte by byte otherwise. */
        for (;;) {
            while (len - i >= 8) {
                uint64_t word;
                memcpy(&word, text + i, 8);
                uint64_t spaces;
                if (!plain_run(word, &spaces)) break;
                word = lower8(word);
                memcpy(s->norm + n, &word, 8);
                for (; spaces; spaces &= spaces - 1)
                    s->starts[words++] = n + ((size_t)__builtin_ctzll(spaces) >> 3) + 1;
                i += 8;
                n += 8;
            }
            if (i == len || is_space((unsigned char)text[i])) break;
            char c = text[i++];
            s->norm[n++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        }
    }
    /* The end of word k (exclusive) is where word k + 1 starts, less its separator. */
    size_t prefix_end = prefix_words == 0       ? 0
                        : prefix_words < words ? s->starts[prefix_words] - 1
                                               : n;
    row[0] = hash_bytes(s->norm, n, SEED_EXACT);
    row[1] = masked_hash(s, 0, prefix_end, SEED_PREFIX);
    if (suffix_words && words > prefix_words) {
        size_t from = suffix_words < words ? s->starts[words - suffix_words] : 0;
        row[2] = masked_hash(s, from, n, SEED_SUFFIX);
    } else {
        row[2] = row[1];
    }
    row[3] = 0;
    return (Py_ssize_t)n;
}

/* Literal strings any text an intent pattern matches contains one of
 * (detector.literals.needles): a text with none of them skips the patterns. */
typedef struct {
    const unsigned char *bytes;
    size_t len;
    uint32_t anchor; /* the first two bytes, or four for needles of four bytes or more */
} Needle;

typedef struct {
    int all;          /* no needles given: every text is a candidate */
    int ones;         /* some needle is one byte long */
    int shorts;       /* some needle is two or three bytes long */
    Py_ssize_t count; /* of the needles of two bytes or more */
    Needle *needles;
    uint8_t one[256];  /* the one-byte needles */
    uint64_t bits[1024]; /* anchors as a 65536-bit set: hashed four bytes, or two bytes */
} Needles;

static inline uint32_t load4(const unsigned char *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Four bytes to 16 bits, disjoint from two-byte anchors only by chance: a false hit is
 * only a comparison more. */
static inline unsigned hash4(uint32_t v) { return (v * 2654435761u) >> 16; }

static inline int has_bit(const uint64_t *bits, unsigned b) { return bits[b >> 6] >> (b & 63) & 1; }

/* Fills nd from a tuple of bytes (or None); the tuple must outlive nd's use. */
static int needles_init(Needles *nd, PyObject *tuple) {
    memset(nd, 0, sizeof *nd);
    if (tuple == Py_None) {
        nd->all = 1;
        return 1;
    }
    if (!PyTuple_Check(tuple))
        return PyErr_Format(PyExc_TypeError, "needles: a tuple of bytes or None"), 0;
    nd->needles = PyMem_Malloc(sizeof(Needle) * ((size_t)PyTuple_GET_SIZE(tuple) + 1));
    if (nd->needles == NULL) return PyErr_NoMemory(), 0;
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(tuple); k++) {
        PyObject *needle = PyTuple_GET_ITEM(tuple, k);
        if (!PyBytes_Check(needle) || PyBytes_GET_SIZE(needle) == 0)
            return PyErr_Format(PyExc_ValueError, "needles: non-empty bytes only"), 0;
        const unsigned char *b = (const unsigned char *)PyBytes_AS_STRING(needle);
        size_t len = (size_t)PyBytes_GET_SIZE(needle);
        if (len == 1) {
            nd->one[b[0]] = 1;
            nd->ones = 1;
            continue;
        }
        uint32_t anchor = len >= 4 ? load4(b) : (uint32_t)b[0] << 8 | b[1];
        unsigned bit = len >= 4 ? hash4(anchor) : anchor;
        nd->shorts |= len < 4;
        nd->bits[bit >> 6] |= (uint64_t)1 << (bit & 63);
        nd->needles[nd->count++] = (Needle){b, len, anchor};
    }
    return 1;
}

/* Whether some needle of length `len_from`..`len_to` with this anchor starts at t + i. */
static int needle_at(const Needles *nd, const unsigned char *t, size_t i, size_t n,
                     uint32_t anchor, size_t len_from, size_t len_to) {
    for (Py_ssize_t k = 0; k < nd->count; k++) {
        const Needle *needle = &nd->needles[k];
        if (needle->anchor == anchor && needle->len >= len_from && needle->len <= len_to
            && needle->len <= n - i && memcmp(t + i, needle->bytes, needle->len) == 0)
            return 1;
    }
    return 0;
}

/* Whether text holds one of the needles. Each position costs a multiply and a bit test;
 * needles are compared only where their anchor's bit is set. */
static int holds_needle(const Needles *nd, const char *text, size_t n) {
    if (nd->all) return 1;
    const unsigned char *t = (const unsigned char *)text;
    if (nd->ones)
        for (size_t i = 0; i < n; i++)
            if (nd->one[t[i]]) return 1;
    if (nd->shorts)
        for (size_t i = 0; i + 1 < n; i++) {
            uint32_t pair = (uint32_t)t[i] << 8 | t[i + 1];
            if (has_bit(nd->bits, pair) && needle_at(nd, t, i, n, pair, 2, 3)) return 1;
        }
    for (size_t i = 0; i + 4 <= n; i++) {
        uint32_t four = load4(t + i);
        if (has_bit(nd->bits, hash4(four)) && needle_at(nd, t, i, n, four, 4, SIZE_MAX))
            return 1;
    }
    return 0;
}

PyDoc_STRVAR(fingerprint_doc,
"fingerprint(texts, prefix_words, suffix_words, needles) -> (rows, candidates, normalised, left)\n\n"
"rows: bytes of one little-endian uint64 row (exact, prefix, suffix, 0) per text, zeros\n"
"for None and for the texts left;\n"
"candidates: the positions of the texts that may match an intent pattern: those holding\n"
"one of needles (a tuple of bytes; None: every text);\n"
"normalised: the normalised UTF-8 of each candidate, for the patterns;\n"
"left: the positions of the texts this pass left to the caller (not ASCII).");

static PyObject *fingerprint(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *texts, *needles_obj;
    Py_ssize_t prefix_words, suffix_words;
    if (!PyArg_ParseTuple(args, "O!nnO", &PyList_Type, &texts, &prefix_words, &suffix_words,
                          &needles_obj))
        return NULL;
    if (prefix_words < 0 || suffix_words < 0)
        return PyErr_Format(PyExc_ValueError, "negative word counts");
    Needles needles;
    if (!needles_init(&needles, needles_obj)) {
        PyMem_Free(needles.needles);
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(texts);
    /* Everything below is released at done, whatever was acquired before a failure. */
    Scratch scratch = {NULL, NULL, NULL, 0};
    PyObject *rows = PyBytes_FromStringAndSize(NULL, n * 32);
    PyObject *candidates = PyList_New(0), *normalised = PyList_New(0), *left = PyList_New(0);
    PyObject *result = NULL;
    if (rows == NULL || candidates == NULL || normalised == NULL || left == NULL) goto done;
    uint64_t *out = (uint64_t *)PyBytes_AS_STRING(rows);
    memset(out, 0, (size_t)n * 32);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *text = PyList_GET_ITEM(texts, i);
        if (text == Py_None) continue;
        PyObject *target = left, *item = NULL;
        if (PyUnicode_Check(text) && PyUnicode_IS_ASCII(text)) {
            Py_ssize_t len = fingerprint_ascii(
                PyUnicode_DATA(text), (size_t)PyUnicode_GET_LENGTH(text), (size_t)prefix_words,
                (size_t)suffix_words, &scratch, out + 4 * i);
            if (len < 0) goto done;
            if (!holds_needle(&needles, scratch.norm, (size_t)len)) continue;
            item = PyBytes_FromStringAndSize(scratch.norm, len);
            if (item == NULL) goto done;
            int failed = PyList_Append(normalised, item);
            Py_DECREF(item);
            if (failed) goto done;
            target = candidates;
        }
        item = PyLong_FromSsize_t(i);
        if (item == NULL) goto done;
        int failed = PyList_Append(target, item);
        Py_DECREF(item);
        if (failed) goto done;
    }
    result = PyTuple_Pack(4, rows, candidates, normalised, left);
done:
    Py_XDECREF(rows);
    Py_XDECREF(candidates);
    Py_XDECREF(normalised);
    Py_XDECREF(left);
    PyMem_Free(needles.needles);
    PyMem_Free(scratch.norm);
    PyMem_Free(scratch.masked);
    PyMem_Free(scratch.starts);
    return result;
}

PyDoc_STRVAR(hash_strings_doc,
"hash_strings(values, seed) -> bytes\n\n"
"One little-endian uint64 per value: XXH3 of its UTF-8 with seed (1 where that is 0), 0 for\n"
"None.");

static PyObject *hash_strings(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *values;
    unsigned long long seed;
    if (!PyArg_ParseTuple(args, "O!K", &PyList_Type, &values, &seed)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(values);
    PyObject *result = PyBytes_FromStringAndSize(NULL, n * 8);
    if (result == NULL) return NULL;
    uint64_t *out = (uint64_t *)PyBytes_AS_STRING(result);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *value = PyList_GET_ITEM(values, i);
        if (value == Py_None) {
            out[i] = 0;
            continue;
        }
        Py_ssize_t len;
        /* A lone surrogate has no UTF-8: the error is the one str.encode() raises. */
        const char *utf8 = PyUnicode_Check(value) ? PyUnicode_AsUTF8AndSize(value, &len) : NULL;
        if (utf8 == NULL) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_TypeError, "expected str or None, not %.100s",
                             Py_TYPE(value)->tp_name);
            Py_DECREF(result);
            return NULL;
        }
        out[i] = hash_bytes(utf8, (size_t)len, seed);
    }
    return result;
}

static PyMethodDef methods[] = {
    {"fingerprint", fingerprint, METH_VARARGS, fingerprint_doc},
    {"hash_strings", hash_strings, METH_VARARGS, hash_strings_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "detector._fingerprints", "Prompt fingerprints, in C.", -1, methods,
};

PyMODINIT_FUNC PyInit__fingerprints(void) { return PyModule_Create(&module); }
