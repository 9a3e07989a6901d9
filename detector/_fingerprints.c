/* The fast path of detector.fingerprints: the exact, prefix and suffix hashes of ASCII
 * prompts, and the hashes of gateway fingerprints, in C.
 *
 * A prompt is taken only when it is ASCII, where Python's lower(), split() and the digit
 * mask of the template hashes have a plain byte-wise meaning; anything else is left to the
 * Python path (Unicode case mapping, Unicode whitespace and digits), which the differential
 * tests compare this file against. The hashes are xxHash's XXH3 with the seeds of the Python
 * path, from the same xxhash.h the xxhash package builds on (third_party/xxhash).
 *
 * Prompt text is read in place; its normalised form is handed back for the intent patterns
 * and lives only as long as the caller keeps it.
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

/* The row of one ASCII prompt; returns its normalised form as bytes, or NULL on error. */
static PyObject *fingerprint_ascii(const char *text, size_t len, size_t prefix_words,
                                   size_t suffix_words, Scratch *s, uint64_t row[4]) {
    if (!reserve(s, len + 1)) return NULL;
    /* lower() and " ".join(split()) in one pass, noting where each word starts. */
    size_t n = 0, words = 0;
    for (size_t i = 0; i < len;) {
        while (i < len && is_space((unsigned char)text[i])) i++;
        if (i == len) break;
        if (words) s->norm[n++] = ' ';
        s->starts[words++] = n;
        for (; i < len && !is_space((unsigned char)text[i]); i++) {
            char c = text[i];
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
    return PyBytes_FromStringAndSize(s->norm, (Py_ssize_t)n);
}

PyDoc_STRVAR(fingerprint_doc,
"fingerprint(texts, prefix_words, suffix_words) -> (rows, normalised)\n\n"
"rows: bytes of one little-endian uint64 row (exact, prefix, suffix, 0) per text;\n"
"normalised: per text, its normalised UTF-8 for the intent patterns, or None where this\n"
"pass left the text (not ASCII) or there is none (None), with a row of zeros.");

static PyObject *fingerprint(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *texts;
    Py_ssize_t prefix_words, suffix_words;
    if (!PyArg_ParseTuple(args, "O!nn", &PyList_Type, &texts, &prefix_words, &suffix_words))
        return NULL;
    if (prefix_words < 0 || suffix_words < 0)
        return PyErr_Format(PyExc_ValueError, "negative word counts");
    Py_ssize_t n = PyList_GET_SIZE(texts);
    /* Everything below is released at done, whatever was acquired before a failure. */
    Scratch scratch = {NULL, NULL, NULL, 0};
    PyObject *rows = PyBytes_FromStringAndSize(NULL, n * 32);
    PyObject *normalised = PyList_New(n);
    PyObject *result = NULL;
    if (rows == NULL || normalised == NULL) goto done;
    uint64_t *out = (uint64_t *)PyBytes_AS_STRING(rows);
    memset(out, 0, (size_t)n * 32);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *text = PyList_GET_ITEM(texts, i);
        PyObject *norm = Py_None;
        if (PyUnicode_Check(text) && PyUnicode_IS_ASCII(text)) {
            norm = fingerprint_ascii(PyUnicode_DATA(text), (size_t)PyUnicode_GET_LENGTH(text),
                                     (size_t)prefix_words, (size_t)suffix_words, &scratch,
                                     out + 4 * i);
            if (norm == NULL) goto done;
        } else {
            Py_INCREF(norm);
        }
        PyList_SET_ITEM(normalised, i, norm);
    }
    result = PyTuple_Pack(2, rows, normalised);
done:
    Py_XDECREF(rows);
    Py_XDECREF(normalised);
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
