/* The per-account inner loops of scoring, in C: ring signals, shared-infrastructure
 * lookups, MinHash sketches and half-space tree walks.
 *
 * Each of these works on a small matrix per account (32 recent requests, 52 sketch slots,
 * 15 trees of height 8). Written with NumPy, a batch of accounts takes (rows, 32, 32)
 * comparison cubes, (rows, 64, 52) hash cubes and one fancy-indexing step per tree level:
 * about 20 us per scored account, most of a scoring step. Here they are plain loops over
 * each account's row, with the same results (the differential tests in
 * tests/test_kernels.py hold them to the NumPy definitions they replace).
 *
 * Arrays come in through the buffer protocol: C-contiguous, of the item size and kind each
 * function names, with shapes that agree; anything else is refused with ValueError before
 * any is read. Outputs are arrays the caller allocates.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define MAX_BUFFERS 6

/* The buffers one call holds, released together at its one exit. */
typedef struct {
    Py_buffer views[MAX_BUFFERS];
    int held;
} Buffers;

static void release(Buffers *b) {
    for (int i = 0; i < b->held; i++) PyBuffer_Release(&b->views[i]);
    b->held = 0;
}

/* A C-contiguous buffer of ndim dimensions whose items are itemsize bytes of one of the
 * struct formats in kinds (e.g. "Ii" for 32-bit integers); NULL with ValueError if not. */
static Py_buffer *take(Buffers *b, PyObject *obj, const char *name, const char *kinds,
                       Py_ssize_t itemsize, int ndim, int writable) {
    Py_buffer *view = &b->views[b->held];
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "%s: expected a C-contiguous%s array", name,
                     writable ? " writable" : "");
        return NULL;
    }
    b->held++;
    /* Formats may carry a byte-order prefix ("<I"); the kind is the last character. */
    const char *format = view->format ? view->format : "B";
    char kind = format[strlen(format) - 1];
    if (view->itemsize != itemsize || strchr(kinds, kind) == NULL || view->ndim != ndim) {
        PyErr_Format(PyExc_ValueError, "%s: expected %d dimensions of %zd-byte '%s' items, "
                     "got %d of %zd-byte '%s'", name, ndim, itemsize, kinds, view->ndim,
                     view->itemsize, format);
        return NULL;
    }
    return view;
}

static int same_shape(const Py_buffer *a, const Py_buffer *b, const char *name) {
    for (int d = 0; d < a->ndim; d++) {
        if (a->shape[d] != b->shape[d]) {
            PyErr_Format(PyExc_ValueError, "%s: shape does not match the first array", name);
            return 0;
        }
    }
    return 1;
}

static int has_length(const Py_buffer *v, int dim, Py_ssize_t length, const char *name) {
    if (v->shape[dim] != length) {
        PyErr_Format(PyExc_ValueError, "%s: dimension %d has length %zd, expected %zd", name,
                     dim, v->shape[dim], length);
        return 0;
    }
    return 1;
}

#define UINTS32 "IL"     /* 'L' is 4 bytes only where long is; the item size decides */
#define UINTS64 "LQ"
#define INTS64 "lq"
#define INTP "lqn"

/* Whether entry i of a row is absent (invalid or 0) or repeats a valid earlier entry: the
 * rows are short (32-64 entries) and repeat a few values, so a scan beats any table. */
static inline int absent_or_seen(const uint32_t *x, const uint8_t *valid, Py_ssize_t i) {
    if (!valid[i] || x[i] == 0) return 1;
    for (Py_ssize_t j = 0; j < i; j++) {
        if (valid[j] && x[j] == x[i]) return 1;
    }
    return 0;
}

/* -- ring signals ------------------------------------------------------------------------ */

PyDoc_STRVAR(template_signals_doc,
"template_signals(exact, prefix, suffix, valid, out)\n\n"
"Per row of the ring (uint16 exact, uint32 prefix and suffix hashes, bool valid; rows x\n"
"width), into out (float64, rows x 4): the distinct-prompt share, the distinct-template\n"
"share, the template entropy (bits) and the near-duplicate share. Two requests share a\n"
"template when their prefix or their suffix hashes are equal; each request joins the\n"
"cluster of the first request sharing its template.");

static PyObject *template_signals(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *objs[5];
    if (!PyArg_ParseTuple(args, "OOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4]))
        return NULL;
    Buffers b = {.held = 0};
    PyObject *result = NULL;
    Py_buffer *exact = take(&b, objs[0], "exact", "H", 2, 2, 0);
    if (!exact) goto done;
    Py_buffer *prefix = take(&b, objs[1], "prefix", UINTS32, 4, 2, 0);
    if (!prefix || !same_shape(exact, prefix, "prefix")) goto done;
    Py_buffer *suffix = take(&b, objs[2], "suffix", UINTS32, 4, 2, 0);
    if (!suffix || !same_shape(exact, suffix, "suffix")) goto done;
    Py_buffer *valid = take(&b, objs[3], "valid", "?", 1, 2, 0);
    if (!valid || !same_shape(exact, valid, "valid")) goto done;
    Py_buffer *out = take(&b, objs[4], "out", "d", 8, 2, 1);
    if (!out || !has_length(out, 0, exact->shape[0], "out") || !has_length(out, 1, 4, "out"))
        goto done;
    Py_ssize_t rows = exact->shape[0], width = exact->shape[1];
    if (width > 256) {
        PyErr_SetString(PyExc_ValueError, "rings of more than 256 requests are not supported");
        goto done;
    }
    const uint16_t *e = exact->buf;
    const uint32_t *p = prefix->buf, *s = suffix->buf;
    const uint8_t *v = valid->buf;
    double *o = out->buf;
    Py_BEGIN_ALLOW_THREADS
    int cluster_size[256];
    for (Py_ssize_t r = 0; r < rows; r++) {
        const uint16_t *er = e + r * width;
        const uint32_t *pr = p + r * width, *sr = s + r * width;
        const uint8_t *vr = v + r * width;
        int count = 0, templates = 0, prompts = 0, near = 0;
        for (Py_ssize_t i = 0; i < width; i++) {
            cluster_size[i] = 0;
            if (!vr[i]) continue;
            count++;
            Py_ssize_t first = i;  /* the first request sharing i's template: i at the latest */
            int earlier_exact = 0;
            for (Py_ssize_t j = 0; j < i; j++) {
                if (!vr[j]) continue;
                if (first == i && (pr[j] == pr[i] || sr[j] == sr[i])) first = j;
                if (er[j] == er[i]) earlier_exact = 1;
                if (first != i && earlier_exact) break;
            }
            cluster_size[first]++;
            templates += first == i;
            prompts += !earlier_exact;
            near += first != i && !earlier_exact;
        }
        double *orow = o + r * 4;
        if (count == 0) {
            orow[0] = orow[1] = orow[2] = orow[3] = 0.0;
            continue;
        }
        double entropy = 0.0;
        for (Py_ssize_t i = 0; i < width; i++) {
            if (cluster_size[i] == 0) continue;
            double share = (double)cluster_size[i] / count;
            entropy -= share * log2(share);
        }
        orow[0] = (double)prompts / count;
        orow[1] = (double)templates / count;
        orow[2] = entropy;
        orow[3] = (double)near / count;
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    release(&b);
    return result;
}

PyDoc_STRVAR(distinct_doc,
"distinct(values, valid, out)\n\n"
"Per row (uint32 values, bool valid; rows x width), into out (int64, rows): how many\n"
"distinct non-zero values the valid entries hold.");

static PyObject *distinct(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *objs[3];
    if (!PyArg_ParseTuple(args, "OOO", &objs[0], &objs[1], &objs[2])) return NULL;
    Buffers b = {.held = 0};
    PyObject *result = NULL;
    Py_buffer *values = take(&b, objs[0], "values", UINTS32, 4, 2, 0);
    if (!values) goto done;
    Py_buffer *valid = take(&b, objs[1], "valid", "?", 1, 2, 0);
    if (!valid || !same_shape(values, valid, "valid")) goto done;
    Py_buffer *out = take(&b, objs[2], "out", INTS64, 8, 1, 1);
    if (!out || !has_length(out, 0, values->shape[0], "out")) goto done;
    Py_ssize_t rows = values->shape[0], width = values->shape[1];
    const uint32_t *x = values->buf;
    const uint8_t *v = valid->buf;
    int64_t *o = out->buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t r = 0; r < rows; r++) {
        const uint32_t *xr = x + r * width;
        const uint8_t *vr = v + r * width;
        int64_t n = 0;
        for (Py_ssize_t i = 0; i < width; i++) n += !absent_or_seen(xr, vr, i);
        o[r] = n;
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    release(&b);
    return result;
}

PyDoc_STRVAR(max_owners_doc,
"max_owners(keys, valid, pairs, out)\n\n"
"Per row of keys (uint32, rows x width) with valid (bool, same shape), into out (int64,\n"
"rows): the most owners any of its valid non-zero keys has in pairs (sorted uint64,\n"
"key << 32 | owner, each pair once); 0 for a row without such keys.");

/* The first index of sorted[0:n] above value (or, with or_equal, not below it). */
static Py_ssize_t bound(const uint64_t *sorted, Py_ssize_t n, uint64_t value, int or_equal) {
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] < value || (!or_equal && sorted[mid] == value)) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static PyObject *max_owners(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *objs[4];
    if (!PyArg_ParseTuple(args, "OOOO", &objs[0], &objs[1], &objs[2], &objs[3])) return NULL;
    Buffers b = {.held = 0};
    PyObject *result = NULL;
    Py_buffer *keys = take(&b, objs[0], "keys", UINTS32, 4, 2, 0);
    if (!keys) goto done;
    Py_buffer *valid = take(&b, objs[1], "valid", "?", 1, 2, 0);
    if (!valid || !same_shape(keys, valid, "valid")) goto done;
    Py_buffer *pairs = take(&b, objs[2], "pairs", UINTS64, 8, 1, 0);
    if (!pairs) goto done;
    Py_buffer *out = take(&b, objs[3], "out", INTS64, 8, 1, 1);
    if (!out || !has_length(out, 0, keys->shape[0], "out")) goto done;
    Py_ssize_t rows = keys->shape[0], width = keys->shape[1], n = pairs->shape[0];
    const uint32_t *k = keys->buf;
    const uint8_t *v = valid->buf;
    const uint64_t *sorted = pairs->buf;
    int64_t *o = out->buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t r = 0; r < rows; r++) {
        const uint32_t *kr = k + r * width;
        const uint8_t *vr = v + r * width;
        int64_t most = 0;
        for (Py_ssize_t i = 0; i < width; i++) {
            /* An account's recent requests repeat a few IPs: look each up once. */
            if (absent_or_seen(kr, vr, i)) continue;
            uint64_t first = (uint64_t)kr[i] << 32;
            Py_ssize_t lo = bound(sorted, n, first, 1);
            Py_ssize_t hi = lo + bound(sorted + lo, n - lo, first | UINT32_MAX, 0);
            most = hi - lo > most ? hi - lo : most;
        }
        o[r] = most;
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    release(&b);
    return result;
}

/* -- MinHash ----------------------------------------------------------------------------- */

/* The murmur3 64-bit finaliser, as detector.campaigns.minhash.mix64. */
static inline uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= UINT64_C(0xFF51AFD7ED558CCD);
    x ^= x >> 33;
    x *= UINT64_C(0xC4CEB9FE1A85EC53);
    return x ^ (x >> 33);
}

#define EMPTY_SLOT 0xFFFF
#define MAX_SLOTS 1024

PyDoc_STRVAR(minhash_doc,
"minhash(hashes, valid, a, b, out)\n\n"
"Per row of hashes (uint32, rows x width) with valid (bool, same shape), into out (uint16,\n"
"rows x slots): slot k is the minimum over the row's valid non-zero elements x of the\n"
"upper 32 bits of a[k] * mix64(x) + b[k] (wrapping uint64; a and b hold one uint64 per\n"
"slot), keeping its low 16 bits, moved to 0xFFFE where they are 0xFFFF; 0xFFFF in every\n"
"slot of a row without elements.");

static PyObject *minhash(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *objs[5];
    if (!PyArg_ParseTuple(args, "OOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4]))
        return NULL;
    Buffers b = {.held = 0};
    PyObject *result = NULL;
    Py_buffer *hashes = take(&b, objs[0], "hashes", UINTS32, 4, 2, 0);
    if (!hashes) goto done;
    Py_buffer *valid = take(&b, objs[1], "valid", "?", 1, 2, 0);
    if (!valid || !same_shape(hashes, valid, "valid")) goto done;
    Py_buffer *a = take(&b, objs[2], "a", UINTS64, 8, 1, 0);
    if (!a) goto done;
    Py_ssize_t slots = a->shape[0];
    if (slots > MAX_SLOTS) {
        PyErr_Format(PyExc_ValueError, "a: more than %d slots", MAX_SLOTS);
        goto done;
    }
    Py_buffer *bias = take(&b, objs[3], "b", UINTS64, 8, 1, 0);
    if (!bias || !has_length(bias, 0, slots, "b")) goto done;
    Py_buffer *out = take(&b, objs[4], "out", "H", 2, 2, 1);
    if (!out || !has_length(out, 0, hashes->shape[0], "out") || !has_length(out, 1, slots, "out"))
        goto done;
    Py_ssize_t rows = hashes->shape[0], width = hashes->shape[1];
    const uint32_t *x = hashes->buf;
    const uint8_t *v = valid->buf;
    const uint64_t *ka = a->buf, *kb = bias->buf;
    uint16_t *o = out->buf;
    Py_BEGIN_ALLOW_THREADS
    uint32_t minima[MAX_SLOTS];
    for (Py_ssize_t r = 0; r < rows; r++) {
        const uint32_t *xr = x + r * width;
        const uint8_t *vr = v + r * width;
        uint16_t *orow = o + r * slots;
        int any = 0;
        for (Py_ssize_t k = 0; k < slots; k++) minima[k] = UINT32_MAX;
        for (Py_ssize_t i = 0; i < width; i++) {
            /* A repeated element cannot lower a minimum: recent requests repeat their IPs,
             * agents and templates, so skip all but the first. */
            if (absent_or_seen(xr, vr, i)) continue;
            any = 1;
            uint64_t m = mix64(xr[i]);
            for (Py_ssize_t k = 0; k < slots; k++) {
                uint32_t h = (uint32_t)((ka[k] * m + kb[k]) >> 32);
                minima[k] = h < minima[k] ? h : minima[k];
            }
        }
        for (Py_ssize_t k = 0; k < slots; k++) {
            uint32_t low = minima[k] & 0xFFFF;
            orow[k] = !any ? EMPTY_SLOT : (uint16_t)(low < EMPTY_SLOT - 1 ? low : EMPTY_SLOT - 1);
        }
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    release(&b);
    return result;
}

/* -- half-space trees -------------------------------------------------------------------- */

typedef struct {
    const double *x;
    Py_ssize_t rows, columns;
    const Py_ssize_t *feature;
    const double *threshold;
    Py_ssize_t trees, nodes;
    int height;
} Forest;

/* Take the inputs every tree walk needs: x (float64, rows x columns), feature (intp, trees
 * x nodes), threshold (float64, same shape), and a height whose nodes fit and whose split
 * features are columns of x. */
static int take_forest(Buffers *b, Forest *f, PyObject *x_obj, PyObject *feature_obj,
                       PyObject *threshold_obj, int height) {
    Py_buffer *x = take(b, x_obj, "x", "d", 8, 2, 0);
    if (!x) return 0;
    Py_buffer *feature = take(b, feature_obj, "feature", INTP, sizeof(Py_ssize_t), 2, 0);
    if (!feature) return 0;
    Py_buffer *threshold = take(b, threshold_obj, "threshold", "d", 8, 2, 0);
    if (!threshold || !same_shape(feature, threshold, "threshold")) return 0;
    f->x = x->buf;
    f->rows = x->shape[0];
    f->columns = x->shape[1];
    f->feature = feature->buf;
    f->threshold = threshold->buf;
    f->trees = feature->shape[0];
    f->nodes = feature->shape[1];
    f->height = height;
    if (height < 0 || height > 30 || f->nodes < ((Py_ssize_t)2 << height) - 1) {
        PyErr_Format(PyExc_ValueError, "height %d does not fit trees of %zd nodes", height,
                     f->nodes);
        return 0;
    }
    for (Py_ssize_t i = 0; i < f->trees * f->nodes; i++) {
        if (f->feature[i] < 0 || f->feature[i] >= f->columns) {
            PyErr_Format(PyExc_ValueError, "feature: %zd is not a column of x", f->feature[i]);
            return 0;
        }
    }
    return 1;
}

/* The child of node i of tree t that row r goes to. */
static inline Py_ssize_t step(const Forest *f, Py_ssize_t r, Py_ssize_t t, Py_ssize_t i) {
    Py_ssize_t at = t * f->nodes + i;
    return 2 * i + 1 + (f->x[r * f->columns + f->feature[at]] >= f->threshold[at]);
}

PyDoc_STRVAR(hst_mass_doc,
"hst_mass(x, feature, threshold, height, r_mass, size_limit, out)\n\n"
"Per row of x, into out (float64, rows): the mass its walks collect over all trees. A walk\n"
"goes from the root down height levels (right where x[feature] >= threshold), adding\n"
"r_mass (int64, trees x nodes) times 2**depth at each node, and stops after the first\n"
"node whose mass is below size_limit.");

static PyObject *hst_mass(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *objs[5];
    int height;
    double size_limit;
    if (!PyArg_ParseTuple(args, "OOOiOdO", &objs[0], &objs[1], &objs[2], &height, &objs[3],
                          &size_limit, &objs[4]))
        return NULL;
    Buffers b = {.held = 0};
    PyObject *result = NULL;
    Forest f;
    if (!take_forest(&b, &f, objs[0], objs[1], objs[2], height)) goto done;
    Py_buffer *mass = take(&b, objs[3], "r_mass", INTS64, 8, 2, 0);
    if (!mass || !has_length(mass, 0, f.trees, "r_mass") || !has_length(mass, 1, f.nodes, "r_mass"))
        goto done;
    Py_buffer *out = take(&b, objs[4], "out", "d", 8, 1, 1);
    if (!out || !has_length(out, 0, f.rows, "out")) goto done;
    const int64_t *m = mass->buf;
    double *o = out->buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t r = 0; r < f.rows; r++) {
        double total = 0.0;
        for (Py_ssize_t t = 0; t < f.trees; t++) {
            Py_ssize_t i = 0;
            for (int depth = 0;; depth++) {
                int64_t here = m[t * f.nodes + i];
                total += (double)here * (double)((int64_t)1 << depth);
                if ((double)here < size_limit || depth == f.height) break;
                i = step(&f, r, t, i);
            }
        }
        o[r] = total;
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    release(&b);
    return result;
}

PyDoc_STRVAR(hst_count_doc,
"hst_count(x, feature, threshold, height, l_mass)\n\n"
"Add one to l_mass (int64, trees x nodes) at every node of every row's full walk down\n"
"every tree (as hst_mass walks, without stopping).");

static PyObject *hst_count(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *objs[4];
    int height;
    if (!PyArg_ParseTuple(args, "OOOiO", &objs[0], &objs[1], &objs[2], &height, &objs[3]))
        return NULL;
    Buffers b = {.held = 0};
    PyObject *result = NULL;
    Forest f;
    if (!take_forest(&b, &f, objs[0], objs[1], objs[2], height)) goto done;
    Py_buffer *mass = take(&b, objs[3], "l_mass", INTS64, 8, 2, 1);
    if (!mass || !has_length(mass, 0, f.trees, "l_mass") || !has_length(mass, 1, f.nodes, "l_mass"))
        goto done;
    int64_t *m = mass->buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t r = 0; r < f.rows; r++) {
        for (Py_ssize_t t = 0; t < f.trees; t++) {
            Py_ssize_t i = 0;
            for (int depth = 0;; depth++) {
                m[t * f.nodes + i]++;
                if (depth == f.height) break;
                i = step(&f, r, t, i);
            }
        }
    }
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    release(&b);
    return result;
}

static PyMethodDef methods[] = {
    {"template_signals", template_signals, METH_VARARGS, template_signals_doc},
    {"distinct", distinct, METH_VARARGS, distinct_doc},
    {"max_owners", max_owners, METH_VARARGS, max_owners_doc},
    {"minhash", minhash, METH_VARARGS, minhash_doc},
    {"hst_mass", hst_mass, METH_VARARGS, hst_mass_doc},
    {"hst_count", hst_count, METH_VARARGS, hst_count_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "detector._kernels", "Per-account scoring loops, in C.", -1, methods,
};

PyMODINIT_FUNC PyInit__kernels(void) { return PyModule_Create(&module); }
