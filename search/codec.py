"""cari's on-disk index format: Whoosh's W3 codec with compact posting blocks
and stored fields compressed several documents at a time.

Whoosh's W3 codec writes each posting block as a zlib-compressed pickle of
(document-number deltas, weights, values), with a pickled tuple of block
statistics in front. Two costs come from the pickle: on disk, every value
(a term's positions in one document) is a bytes object that pickle protocol
2 writes as a call to ``_codecs.encode`` (a dozen bytes of framing each,
about half of the index); when read, every posting becomes Python objects
before the searcher can look at one of them. Here a block is

    int32    signed length of what follows (negative: the list's last block)
    BLOCK_INFO  postings, last id, max weight, compressed?, min/max length bytes
    data     (zlib-compressed when it pays) three packed arrays:
             id deltas, weights, value lengths followed by the values

so ids and weights decode with ``array`` in C (a whole list at once as
numpy arrays, ``decode_list``, viewed in place in the blocks), and values
are read only when a phrase asks for positions. The block statistics Whoosh skips and
scores with (last id, max weight, min/max length) are the same as W3's, so
every Whoosh matcher method works unchanged.

Stored fields: W3 compresses each document's pickled fields on its own; a
news article is a couple of kilobytes, too short for zlib to find much to
reuse. ``BlockPickleColumn`` compresses ``STORED_BLOCK_DOCS`` consecutive
documents together (neighbours in a folder share a site's vocabulary and
boilerplate), at the price of decompressing the block to read one of them;
a block is inflated only as far as the row asked for (``_OpenBlock``).

Every segment records its codec (Whoosh pickles it by module path): moving
these classes out of this module, or changing a format, needs a new
ANALYSIS_VERSION. Term vectors (not in cari's schema) keep W3's format.
"""
from __future__ import annotations

import os
import pickle
import struct
import sys
import zlib
from array import array
from itertools import accumulate, repeat

import numpy as np
from whoosh import columns
from whoosh.codec.whoosh3 import (W3Codec, W3FieldWriter, W3LeafMatcher, W3PerDocReader,
                                  W3PerDocWriter, W3PostingsWriter, W3TermInfo, W3TermsReader)
from whoosh.filedb.compound import SubFile
from whoosh.filedb.structfile import StructFile
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

BLOCK_MAGIC = b"CaB1"          # starts a posting list in this format
BLOCK_HEAD = struct.Struct("<iHIfBBB")   # length, then BLOCK_INFO's fields
COMPRESS_LEVEL = 3             # zlib level of posting blocks (W3's default)
COMPRESS_MIN = 24              # bytes: a shorter block is stored as is
STORED_BLOCK_DOCS = 8          # documents compressed together in the stored-fields column
STORED_LEVEL = 9               # zlib level of stored-field blocks (written once, read often)
LITTLE = sys.byteorder == "little"

# Array type codes by the largest value they hold (non-negative), and the
# code byte that names them in a block.
_WIDTHS = (("B", 0xFF), ("H", 0xFFFF), ("I", 0xFFFFFFFF), ("Q", 0xFFFFFFFFFFFFFFFF))
_ITEMSIZE = {code: array(code).itemsize for code in "BHIQf"}
NO_ARRAY = ord("N")
# The same arrays as numpy types (little-endian, as blocks are written).
_DTYPES = {ord(code): np.dtype(code).newbyteorder("<") for code in "BHIQf"}
_ONES = np.ones(1024, dtype=np.uint8)      # the weights of a block that stores none
_NO_POSTINGS = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint8))


def _ordered(arr: array) -> array:
    """``arr`` in little-endian byte order (blocks are little-endian everywhere)."""
    if not LITTLE:
        arr.byteswap()
    return arr


def pack_uints(values) -> bytes:
    """Non-negative ints as one code byte and the narrowest array that holds them."""
    top = max(values, default=0)
    if top <= 0xFF and isinstance(values, list):
        return b"B" + bytes(values)         # the usual case, at half the cost of an array
    for code, limit in _WIDTHS:
        if top <= limit:
            return code.encode() + _ordered(array(code, values)).tobytes()
    raise ValueError(f"value too large for a posting block: {top}")


def unpack_array(data, pos: int, count: int) -> tuple[array | None, int]:
    """The array that starts at ``pos`` (its code byte) with ``count`` items,
    and the position after it; None for an absent array."""
    code = data[pos]
    if code == NO_ARRAY:
        return None, pos + 1
    code = chr(code)
    end = pos + 1 + count * _ITEMSIZE[code]
    arr = array(code)
    arr.frombytes(data[pos + 1:end])
    return _ordered(arr), end


def pack_weights(weights) -> bytes:
    """No array when every weight is 1.0 (W3 stores None then), small whole
    weights as bytes, any other as the float32 the writer holds them in."""
    if weights.count(1.0) == len(weights):
        return b"N"
    if all(w == int(w) and 0 <= w <= 0xFF for w in weights):
        return b"B" + array("B", map(int, weights)).tobytes()
    return b"f" + _ordered(array("f", weights)).tobytes()


def encode_block(ids, weights, values) -> bytes:
    """One block's id deltas, weights and values (see the module's layout)."""
    deltas = [ids[0]]
    deltas += [b - a for a, b in zip(ids, ids[1:])]
    parts = [pack_uints(deltas), pack_weights(weights)]
    if values:
        parts += [pack_uints([len(values)]), pack_uints([len(v) for v in values])]
        parts += values
    else:
        parts.append(b"N")
    return b"".join(parts)


def decode_block(data, count: int) -> tuple[array, array | None, int]:
    """(id deltas, weights or None for all 1.0, where the values start) of one
    block's data; ``decode_values`` reads the values when they are asked for.
    Whole weights stay as stored (bytes): ``float_weights`` makes them the
    float32 the matcher gives, for a caller that asks for them (the head's
    checks look at ids and positions only)."""
    deltas, pos = unpack_array(data, 0, count)
    weights, pos = unpack_array(data, pos, count)
    return deltas, weights, pos


def float_weights(weights: array) -> array:
    """A block's weights as float32 (``array("f")``), converted in numpy:
    ``array("f", weights)`` makes a Python int of each first (8 µs a block
    of 128 against about 1)."""
    if weights.typecode == "f":
        return weights
    return array("f", np.frombuffer(weights, dtype=weights.typecode).astype(np.float32).tobytes())


def decode_values(data, pos: int) -> tuple:
    """The values of a block whose data holds them from ``pos``."""
    nvalues, pos = unpack_array(data, pos, 1)
    if nvalues is None:
        return ()
    lengths, pos = unpack_array(data, pos, nvalues[0])
    found = []
    for length in lengths:
        found.append(data[pos:pos + length])
        pos += length
    return tuple(found)


def decode_list(data, among=None) -> tuple[np.ndarray, np.ndarray]:
    """(ids, weights) of a whole posting list in this module's format, from its
    bytes (magic included) as numpy arrays: ids as int64, weights as uint8
    when every block holds whole weights (0-255), else float32 (exact: the
    index holds float32). Each block's arrays are viewed in place, then one
    ``cumsum`` turns every block's deltas into ids: a block's first delta is
    its first id, so the previous decoded block's last id (in its header) is
    taken off it first. ``among`` (a sorted list of ids): only the blocks
    that may hold one of them are decoded (a header gives the block's last
    id), so the postings returned include those of ``among``."""
    if data[:len(BLOCK_MAGIC)] != BLOCK_MAGIC:
        raise ValueError(f"not a cari posting list: {bytes(data[:len(BLOCK_MAGIC)])!r}")
    unpack, head = BLOCK_HEAD.unpack_from, BLOCK_HEAD.size
    deltas, weights, lasts = [], [], []
    pos, size = len(BLOCK_MAGIC), len(data)
    wanted, previous = 0, -1        # among[wanted]: the first id asked for past the blocks before
    while pos < size:
        length, count, lastid, _, compressed, _, _ = unpack(data, pos)
        end = pos + 4 + abs(length)
        if among is not None:
            while wanted < len(among) and among[wanted] <= previous:
                wanted += 1
            if wanted == len(among):
                break
            previous = lastid
            if among[wanted] > lastid:
                pos = end
                if length < 0:
                    break
                continue
        block = zlib.decompress(data[pos + head:end]) if compressed else data[pos + head:end]
        dtype = _DTYPES[block[0]]
        deltas.append(np.frombuffer(block, dtype, count, 1))
        at = 1 + count * dtype.itemsize
        code = block[at]
        if code != NO_ARRAY:
            weights.append(np.frombuffer(block, _DTYPES[code], count, at + 1))
        else:
            weights.append(_ONES[:count] if count <= len(_ONES) else np.ones(count, dtype=np.uint8))
        lasts.append(lastid)
        pos = end
        if length < 0:
            break
    if len(deltas) <= 1:
        return (np.add.accumulate(deltas[0], dtype=np.int64), weights[0]) if deltas else _NO_POSTINGS
    ids = np.concatenate(deltas, dtype=np.int64)
    starts = np.cumsum([len(d) for d in deltas[:-1]])
    ids[starts] -= np.array(lasts[:-1], dtype=np.int64)
    np.cumsum(ids, out=ids)
    return ids, np.concatenate(weights)


# Whoosh's hash file (whoosh.filedb.filetables): a slot is (hash, item
# position), an item (key length, value length, key, value).
_SLOT = struct.Struct("!Iq")
_LENGTHS = struct.Struct("!ii")
SLOTS_READ = 4          # slots read at once: a key is rarely more than a few slots from its own
VALUE_READ = 48         # value bytes read with the key: a term info not inlined is 35


def table_get(table, key: bytes, keyhash: int | None = None) -> bytes | None:
    """``table.get(key)`` for a Whoosh HashReader, in two reads where
    Whoosh's makes one per slot and per part of the item (each read is a
    seek and a read through three Python layers of file objects).
    ``keyhash``: ``table.hashfn(key)`` when the caller has it."""
    if keyhash is None:
        keyhash = table.hashfn(key)
    start, slots = table.tables[keyhash & 255]
    if not slots:
        return None
    get = table.dbfile.get
    size = _SLOT.size
    end = start + slots * size
    pos = start + ((keyhash >> 8) % slots) * size
    seen = 0
    while seen < slots:
        count = min(SLOTS_READ, slots - seen, (end - pos) // size)
        run = get(pos, count * size)
        for i in range(count):
            slothash, item = _SLOT.unpack_from(run, i * size)
            if not item:
                return None
            if slothash == keyhash:
                head = get(item, _LENGTHS.size + len(key) + VALUE_READ)
                keylen, datalen = _LENGTHS.unpack_from(head)
                at = _LENGTHS.size + keylen
                if keylen == len(key):
                    if len(head) < at + datalen:
                        head = get(item, at + datalen)
                    if head[_LENGTHS.size:at] == key:
                        return head[at:at + datalen]
        seen += count
        pos += count * size
        if pos == end:
            pos = start
    return None


_DOC_FREQUENCY = struct.Struct("!I")
DOC_FREQUENCY_AT = 5    # in W3's term info: flags (1 byte), weight (float), then the document frequency


def doc_frequency(terms, field: str, tbytes: bytes, hashes: dict | None = None) -> int:
    """One segment's document frequency of a term (0 when it lacks it), as
    ``W3TermsReader.doc_frequency`` reads it, with one lookup of two reads
    (``table_get``) where Whoosh's reads each slot and each part of the
    entry apart. Any W3 term table: a segment in Whoosh's own format too.
    ``hashes``: a dict kept over the segments of one lookup, so a key
    (the same in every segment that numbers the fields alike) is hashed once."""
    table = terms._tindex
    key = terms._keycoder(field, tbytes)
    keyhash = None
    if hashes is not None:
        keyhash = hashes.get((table.hashfn, key))
        if keyhash is None:
            keyhash = hashes[(table.hashfn, key)] = table.hashfn(key)
    info = table_get(table, key, keyhash)
    return 0 if info is None else _DOC_FREQUENCY.unpack_from(info, DOC_FREQUENCY_AT)[0]


_EXTENT = struct.Struct("!qi")       # W3TermInfo.to_bytes: after the statistics, the postings' offset and length
_INFO_SIZE = W3TermInfo._struct.size


def postings_extent(info: bytes) -> tuple[int, int] | None:
    """(offset, length) of a term's postings, read from its term info's
    bytes (its first byte: inlined or not) without making the W3TermInfo
    (a third of a lookup's cost); None when the postings are inlined."""
    if info[0]:
        return None
    return _EXTENT.unpack_from(info, _INFO_SIZE)


def read_list(terms, field: str, tbytes: bytes):
    """One segment's posting list of a term, for bulk reading: its bytes in
    cari's format (``decode_list``), the term info when its postings are
    inlined or in another codec's format, or None when the segment lacks
    the term. One lookup in the term table and one read of the whole list,
    where a matcher reads a header and then each block apart."""
    info = table_get(terms._tindex, terms._keycoder(field, tbytes))
    if info is None:
        return None
    extent = postings_extent(info) if isinstance(terms._codec, CariCodec) else None
    if extent is None:
        return W3TermInfo.from_bytes(info)
    return terms._postfile.get(*extent)


class CompactPostingsWriter(W3PostingsWriter):
    """W3's postings writer writing blocks in this module's format."""

    def _write_block(self, last=False):
        if self._byteids:            # term vectors keep W3's format and reader
            return super()._write_block(last)
        if not self._blockcount:
            self._postfile.write(BLOCK_MAGIC)
        self._terminfo.add_block(self)
        self._postfile.write(self._block_bytes(last, self._values))
        self._blockcount += 1
        self._new_block()

    def _block_bytes(self, last: bool, values: list) -> bytes:
        """The buffered block (ids, weights, statistics) with ``values``: its
        head and its data, compressed when that pays."""
        ids = self._ids
        data = encode_block(ids, self._weights, values)
        compressed = 0
        if len(data) >= COMPRESS_MIN:
            packed = zlib.compress(data, COMPRESS_LEVEL)
            if len(packed) < len(data):
                data, compressed = packed, 1
        length = BLOCK_HEAD.size - 4 + len(data)
        return BLOCK_HEAD.pack(
            -length if last else length, len(ids), ids[-1], self._maxweight, compressed,
            length_to_byte(self._minlength), length_to_byte(self._maxlength)) + data

    def write_list(self, ids: array, weights: list, values: list, lengths: list) -> W3TermInfo:
        """A whole term's postings (ascending ids; ``lengths``: each
        document's field length, 0 for none) written in blocks, and its term
        info: what ``start_postings``, an ``add_posting`` per posting and
        ``finish_postings`` write, with one call and one write per term."""
        info = W3TermInfo()
        start = self._postfile.tell()
        parts = [BLOCK_MAGIC]
        limit, count = self._blocklimit, len(ids)
        for first in range(0, count, limit):
            end = first + limit
            block_weights = weights[first:end]
            # The block's statistics, where W3TermInfo.add_block reads them.
            self._ids = ids[first:end]
            self._weights = array("f", block_weights)
            self._maxweight = max(0, max(block_weights))
            present = [n for n in lengths[first:end] if n]
            self._minlength = min(present) if present else None
            self._maxlength = max(present, default=0)
            info.add_block(self)
            parts.append(self._block_bytes(end >= count, [v for v in values[first:end] if v]))
        data = b"".join(parts)
        self._postfile.write(data)
        info.set_extent(start, len(data))
        return info


class CountingFile:
    """A file being written that knows its position without asking: a
    buffered file's ``tell`` is an ``lseek`` each time, and W3's postings
    and term-table writers ask two to four times per term (5% of an
    indexing sub-writer's samples). It stands for the io object inside a
    segment file's StructFile, so every write method of the StructFile goes
    through :meth:`write`."""

    def __init__(self, raw):
        self._file = raw
        self._position = raw.tell()

    def write(self, data) -> int:
        written = self._file.write(data)
        self._position += written
        return written

    def tell(self) -> int:
        return self._position

    def seek(self, *args) -> int:
        self._position = self._file.seek(*args)
        return self._position

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class CompactFieldWriter(W3FieldWriter):
    """W3's field writer, with :meth:`add_terms` for postings grouped by term."""

    def __init__(self, codec, storage, segment):
        super().__init__(codec, storage, segment)
        for structfile in (self._tindex.dbfile, self._postfile):
            structfile.file = CountingFile(structfile.file)

    def add_terms(self, schema, lengths, terms) -> None:
        """Whoosh's ``add_postings`` for postings already grouped by term:
        ``terms`` yields (field name, term bytes, ids, weights, values) in
        field and term order; ``lengths``: a reader with ``field_lengths``
        (search/indexing/writers.py), or None where the codec keeps none.
        Each term's list goes out in one call (``write_list``), its row in
        the term table as ``finish_term`` writes it."""
        field = None
        for fieldname, btext, ids, weights, values in terms:
            if fieldname != field:
                if field is not None:
                    self.finish_field()
                field = fieldname
                self.start_field(fieldname, schema[fieldname])
                known = lengths.field_lengths(fieldname) if lengths is not None else None
                key = pack_ushort(self._fieldid)
            doc_lengths = [known[d] for d in ids] if known is not None else [0] * len(ids)
            info = self._postwriter.write_list(ids, weights, values, doc_lengths)
            self._tindex.add(key + btext, info.to_bytes())
        if field is not None:
            self.finish_field()


class CompactLeafMatcher(W3LeafMatcher):
    """W3's matcher over blocks in this module's format (a whole list is
    read in bulk by ``read_list`` and ``decode_list``)."""

    def _read_header(self):
        magic = self._postfile.get(self._startoffset, len(BLOCK_MAGIC))
        if magic != BLOCK_MAGIC:
            raise ValueError(f"not a cari posting list at {self._startoffset}: {magic!r}")
        self._baseoffset = self._startoffset + len(BLOCK_MAGIC)

    def _goto(self, position):
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        (length, self._blocklength, self._maxid, self._maxweight, self._compression,
         minlength, maxlength) = BLOCK_HEAD.unpack(self._postfile.get(position, BLOCK_HEAD.size))
        if length < 0:
            self._lastblock = True
            length = -length
        self._nextoffset = position + 4 + length
        self._dataoffset = position + BLOCK_HEAD.size
        self._minlength = byte_to_length(minlength)
        self._maxlength = byte_to_length(maxlength)

    def _read_data(self):
        data = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        if self._compression:
            data = zlib.decompress(data)
        self._data = decode_block(data, self._blocklength)
        self._raw = data

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        self._ids = list(accumulate(self._data[0]))

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        weights = self._data[1]
        self._weights = array("f", repeat(1.0, self._blocklength)) if weights is None else float_weights(weights)

    def _read_values(self):
        if self._data is None:
            self._read_data()
        # As W3: a format with no values (fixed size 0) reads None per posting.
        self._values = ((None,) * self._blocklength if self._fixedsize == 0
                        else decode_values(self._raw, self._data[2]))


class BlockPickleColumn(columns.Column):
    """A column of pickled values compressed ``STORED_BLOCK_DOCS`` rows at a time.

    Layout: the compressed blocks (each a uint32 length per row, then the
    rows' pickles), then the blocks' start offsets (uint64, one more than
    there are blocks), then a trailer: block count and rows per block."""

    TRAILER = struct.Struct("<II")
    _default = None

    def __init__(self, rows_per_block: int = STORED_BLOCK_DOCS, level: int = STORED_LEVEL):
        self.rows_per_block = rows_per_block
        self.level = level

    def writer(self, dbfile):
        return self.Writer(dbfile, self.rows_per_block, self.level)

    class Writer(columns.ColumnWriter):
        def __init__(self, dbfile, rows_per_block, level):
            super().__init__(dbfile)
            self._rows_per_block, self._level = rows_per_block, level
            self._pending: list[bytes] = []
            self._offsets = array("Q", [0])

        def add(self, docnum, value):
            while self._count < docnum:
                self._push(b"")
            self._push(b"" if value is None else pickle.dumps(value, 4))

        def _push(self, row: bytes):
            self._pending.append(row)
            self._count += 1
            if len(self._pending) == self._rows_per_block:
                self._flush()

        def _flush(self):
            if not self._pending:
                return
            lengths = _ordered(array("I", map(len, self._pending))).tobytes()
            block = zlib.compress(lengths + b"".join(self._pending), self._level)
            self._dbfile.write(block)
            self._offsets.append(self._offsets[-1] + len(block))
            self._pending = []

        def finish(self, doccount):
            while self._count < doccount:
                self._push(b"")
            self._flush()
            self._dbfile.write(_ordered(self._offsets).tobytes())
            self._dbfile.write(BlockPickleColumn.TRAILER.pack(len(self._offsets) - 1, self._rows_per_block))

    class Reader(columns.ColumnReader):
        def __init__(self, dbfile, basepos, length, doccount):
            super().__init__(dbfile, basepos, length, doccount)
            trailer = BlockPickleColumn.TRAILER
            end = basepos + length - trailer.size
            nblocks, self._rows_per_block = trailer.unpack(dbfile.get(end, trailer.size))
            offsets = array("Q")
            offsets.frombytes(dbfile.get(end - (nblocks + 1) * 8, (nblocks + 1) * 8))
            self._offsets = _ordered(offsets)
            self._open: _OpenBlock | None = None    # the block read last

        def _row(self, docnum: int) -> bytes:
            block, row = divmod(docnum, self._rows_per_block)
            current = self._open
            if current is None or current.number != block:
                start, end = self._offsets[block], self._offsets[block + 1]
                count = min(self._rows_per_block, self._doccount - block * self._rows_per_block)
                current = self._open = _OpenBlock(block, self._dbfile.get(self._basepos + start, end - start),
                                                  count)
            return current.row(row)

        def __getitem__(self, docnum):
            if not 0 <= docnum < self._doccount:
                raise IndexError(f"row {docnum} of {self._doccount}")
            row = self._row(docnum)
            return pickle.loads(row) if row else None

        def __iter__(self):
            for docnum in range(self._doccount):
                yield self[docnum]


class _OpenBlock:
    """One compressed block of a BlockPickleColumn, inflated only as far as
    the rows asked for: a row in the middle of a block costs half of the
    block's decompression, and reading on in the same block resumes."""

    def __init__(self, number: int, compressed: bytes, count: int):
        self.number = number
        self._inflate = zlib.decompressobj()
        self._pending = compressed
        self._data = b""
        head = self._more(4 * count)
        lengths = array("I")
        lengths.frombytes(head[:4 * count])
        self._ends = list(accumulate(_ordered(lengths), initial=4 * count))

    def _more(self, size: int) -> bytes:
        """The block's data, inflated to at least ``size`` bytes (or to its end)."""
        while len(self._data) < size and (self._pending or not self._inflate.eof):
            chunk = self._inflate.decompress(self._pending, size - len(self._data))
            self._pending = self._inflate.unconsumed_tail
            if not chunk:
                break
            self._data += chunk
        return self._data

    def row(self, index: int) -> bytes:
        start, end = self._ends[index], self._ends[index + 1]
        return self._more(end)[start:end]


STORED_COLUMN = BlockPickleColumn()


class CompactPerDocWriter(W3PerDocWriter):
    """W3's per-document writer with the stored fields in a BlockPickleColumn."""

    def _create_column(self, fieldname, column):
        super()._create_column(fieldname, STORED_COLUMN if fieldname == "_stored" else column)


class CompactPerDocReader(W3PerDocReader):
    def stored_fields(self, docnum):
        reader = self._cached_reader("_stored", STORED_COLUMN)
        return (reader[docnum] if reader is not None else None) or {}


class PartFile(StructFile):
    """A part of a segment's compound file (Whoosh's ``StructFile`` over a
    ``SubFile``) whose ``get`` is one ``os.pread``.

    A term lookup and the list it finds make three small reads at scattered
    places. Through Whoosh's layers each is a seek that empties the parent
    file's buffer, then a read that refills 8 KB of it: about 3 µs a read,
    a posting list opened for one document about 20 µs. ``pread`` reads just
    the bytes asked for and moves no file position. Memory maps were
    measured and left out: Whoosh's mapped storage copies each part it
    opens onto the heap (266 MB more a worker at 4× copies), and a map of
    our own, faster still, counts the pages it touches in the worker's
    resident memory, the figure the scaling goals hold. Every other method
    reads through the ``SubFile`` as before.
    """

    def __init__(self, part: SubFile, name=None):
        super().__init__(part, name=name)
        self._whole = part._file
        self._fd = self._whole.fileno()
        self._start, self._end = part._offset, part._offset + part._length

    def get(self, position: int, length: int) -> bytes:
        if self._whole.closed:      # the descriptor's number may belong to another file by now
            raise ValueError(f"read of closed file {self._name}")
        start = self._start + position
        if start + length > self._end:      # as a SubFile's read: not past the part's end
            length = max(0, self._end - start)
        return os.pread(self._fd, length, start)


def part_file(f):
    """``f`` as a PartFile when it is a part of a real file, else ``f``."""
    part = getattr(f, "file", None)
    if (type(f) is not StructFile or type(part) is not SubFile or not hasattr(os, "pread")
            or not hasattr(part._file, "fileno")):
        return f
    return PartFile(part, name=f._name)


class CariCodec(W3Codec):
    """W3 with compact posting blocks and block-compressed stored fields."""

    def terms_reader(self, storage, segment):
        """W3's terms reader, its term table and postings read with ``pread`` (PartFile)."""
        tiname = segment.make_filename(self.TERMS_EXT)
        tifile = part_file(storage.open_file(tiname))
        postfile = part_file(segment.open_file(storage, self.POSTS_EXT))
        return W3TermsReader(self, tifile, storage.file_length(tiname), postfile)

    def field_writer(self, storage, segment):
        return CompactFieldWriter(self, storage, segment)

    def per_document_writer(self, storage, segment):
        return CompactPerDocWriter(self, storage, segment)

    def per_document_reader(self, storage, segment):
        return CompactPerDocReader(storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return CompactPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                     compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return CompactLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
