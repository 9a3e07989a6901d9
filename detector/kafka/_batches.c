/* The records of one Kafka record batch (message format v2), parsed in C.
 *
 * kafka-python parses every record in Python: seven varints, a record object and a
 * 13-field ConsumerRecord each, 7-9 µs per record, which is most of that client's
 * consume time. The consumer wrapper (_kafka_python_consumer.py) hands each batch's
 * record bytes here instead and gets (offset, key, value) tuples back; kafka-python
 * still does everything else (fetching, batch headers, CRC, decompression, offsets).
 *
 * Record =>                      (DefaultRecord.java)
 *   Length => Varint             (bytes after this field)
 *   Attributes => Int8
 *   TimestampDelta => Varlong
 *   OffsetDelta => Varint
 *   Key => Varint length (-1: null), bytes
 *   Value => Varint length (-1: null), bytes
 *   Headers => Varint count, [Varint key length, key, Varint value length (-1: null), value]
 *
 * Varints are zigzag-encoded base-128, as in protobuf.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

/* The smallest record: one byte each for length, attributes, timestamp delta, offset
 * delta, key length, value length and header count. Bounds a claimed record count
 * before anything is allocated for it. */
#define MIN_RECORD_BYTES 7

typedef struct {
    const uint8_t *p;
    const uint8_t *end;
    const char *error;
} Reader;

/* A zigzag varint of at most max_bytes bytes (5 for Varint, 10 for Varlong). */
static int read_varint(Reader *r, int max_bytes, int64_t *out) {
    uint64_t v = 0;
    for (int i = 0; i < max_bytes; i++) {
        if (r->p >= r->end) {
            r->error = "truncated varint";
            return -1;
        }
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
            return 0;
        }
    }
    r->error = "varint too long";
    return -1;
}

/* Skip (out == NULL) or copy a length-prefixed field; a negative length is null,
 * which only nullable fields allow. */
static int read_bytes(Reader *r, int nullable, PyObject **out) {
    int64_t n;
    if (read_varint(r, 5, &n) < 0) {
        return -1;
    }
    if (n < 0) {
        if (!nullable) {
            r->error = "negative header key length";
            return -1;
        }
        if (out) {
            Py_INCREF(Py_None);
            *out = Py_None;
        }
        return 0;
    }
    if (n > r->end - r->p) {
        r->error = "field runs past the batch";
        return -1;
    }
    if (out) {
        *out = PyBytes_FromStringAndSize((const char *)r->p, (Py_ssize_t)n);
        if (!*out) {
            return -1;
        }
    }
    r->p += n;
    return 0;
}

/* One record as (offset, key, value), or NULL with r->error set (corrupt input) or a
 * Python exception set (out of memory). */
static PyObject *read_record(Reader *r, int64_t base_offset) {
    int64_t length, timestamp_delta, offset_delta, headers;
    if (read_varint(r, 5, &length) < 0) {
        return NULL;
    }
    if (length < 0 || length > r->end - r->p) {
        r->error = "record length runs past the batch";
        return NULL;
    }
    Reader rec = {r->p, r->p + length, NULL};
    PyObject *key = NULL, *value = NULL;
    if (rec.p >= rec.end) {
        rec.error = "truncated record";
        goto fail;
    }
    rec.p++; /* attributes: unused by any Kafka version so far */
    if (read_varint(&rec, 10, &timestamp_delta) < 0 || read_varint(&rec, 5, &offset_delta) < 0 ||
        read_bytes(&rec, 1, &key) < 0 || read_bytes(&rec, 1, &value) < 0 ||
        read_varint(&rec, 5, &headers) < 0) {
        goto fail;
    }
    if (headers < 0) {
        rec.error = "negative header count";
        goto fail;
    }
    for (int64_t h = 0; h < headers; h++) {
        if (read_bytes(&rec, 0, NULL) < 0 || read_bytes(&rec, 1, NULL) < 0) {
            goto fail;
        }
    }
    if (rec.p != rec.end) {
        rec.error = "record length does not match its fields";
        goto fail;
    }
    r->p = rec.end;
    PyObject *offset = PyLong_FromLongLong(base_offset + offset_delta);
    if (!offset) {
        goto fail;
    }
    PyObject *item = PyTuple_New(3);
    if (!item) {
        Py_DECREF(offset);
        goto fail;
    }
    PyTuple_SET_ITEM(item, 0, offset);
    PyTuple_SET_ITEM(item, 1, key);
    PyTuple_SET_ITEM(item, 2, value);
    return item;
fail:
    Py_XDECREF(key);
    Py_XDECREF(value);
    r->error = rec.error;
    return NULL;
}

PyDoc_STRVAR(records_doc,
             "records(buffer, start, count, base_offset) -> list[tuple[int, bytes | None, bytes | "
             "None]]\n\n"
             "The ``count`` records of an uncompressed v2 batch body that starts at ``start`` and\n"
             "runs to the end of ``buffer``, as (offset, key, value); null keys and values are\n"
             "None. Raises ValueError if the bytes are not exactly ``count`` well-formed records.");

static PyObject *records(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer view;
    Py_ssize_t start, count;
    long long base_offset;
    if (!PyArg_ParseTuple(args, "y*nnL", &view, &start, &count, &base_offset)) {
        return NULL;
    }
    PyObject *out = NULL;
    const uint8_t *data = view.buf;
    if (start < 0 || start > view.len) {
        PyErr_SetString(PyExc_ValueError, "start outside the buffer");
        goto done;
    }
    Reader r = {data + start, data + view.len, NULL};
    if (count < 0 || count > (r.end - r.p) / MIN_RECORD_BYTES) {
        PyErr_Format(PyExc_ValueError, "a record count of %zd does not fit %zd bytes", count,
                     (Py_ssize_t)(r.end - r.p));
        goto done;
    }
    out = PyList_New(count);
    if (!out) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = read_record(&r, base_offset);
        if (!item) {
            if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_ValueError, "record %zd of %zd: %s", i, count, r.error);
            }
            Py_CLEAR(out);
            goto done;
        }
        PyList_SET_ITEM(out, i, item);
    }
    if (r.p != r.end) {
        PyErr_Format(PyExc_ValueError, "%zd unconsumed bytes after all records",
                     (Py_ssize_t)(r.end - r.p));
        Py_CLEAR(out);
    }
done:
    PyBuffer_Release(&view);
    return out;
}

static PyMethodDef methods[] = {
    {"records", records, METH_VARARGS, records_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "detector.kafka._batches", "Kafka record batches, parsed in C.", -1,
    methods,
};

PyMODINIT_FUNC PyInit__batches(void) { return PyModule_Create(&module); }
