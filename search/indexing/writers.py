"""The Whoosh writers the indexer uses: one process, or sub-writer processes.

Both write what Whoosh's own writers write, in cari's codec
(search/codec.py: compact posting blocks, block-compressed stored fields)
unless given another. They differ in four ways: sub-writer processes die
with the indexer; a segment's postings are written with each field's lengths
read once per document instead of once per posting (Whoosh 2.7.4 looks the length up in the column file for every
posting: about 15% of indexing time in a profile); the postings are
buffered per field, sorted by term alone and written a term at a time
(search/indexing/term_buffer.py: Whoosh sorts every posting as a tuple and
writes them one call each); and a sub-writer whose posting pool is nearly
full closes its segment and starts another rather than spilling to disk.
"""
from __future__ import annotations

import ctypes
import queue
import signal

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import SegmentWriter

from search.codec import CariCodec, CompactFieldWriter
from search.indexing.term_buffer import TermBuffer

PR_SET_PDEATHSIG = 1
POOL_FLUSH_SHARE = 0.9     # of a pool's limit, above which a sub-writer closes its segment


class LengthTable:
    """A per-document reader whose ``doc_field_length`` answers from a list
    filled the first time a field is asked for; everything else is delegated."""

    def __init__(self, reader):
        self._reader = reader
        self._lengths: dict[tuple[str, int], list] = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        return self.field_lengths(fieldname, default)[docnum]

    def field_lengths(self, fieldname, default=0) -> list:
        """Every document's length in ``fieldname``, by document number."""
        lengths = self._lengths.get((fieldname, default))
        if lengths is None:
            read = self._reader.doc_field_length
            lengths = self._lengths[fieldname, default] = [
                read(doc, fieldname, default) for doc in range(self._reader.doc_count_all())]
        return lengths

    def __getattr__(self, name):
        return getattr(self._reader, name)


class LengthCachingWriter(SegmentWriter):
    """Whoosh's SegmentWriter in cari's codec; postings are buffered per
    field (search/indexing/term_buffer.py) and written a term at a time,
    against a :class:`LengthTable`."""

    def __init__(self, ix, limitmb=128, **kwargs):
        kwargs.setdefault("codec", CariCodec())
        super().__init__(ix, limitmb=limitmb, **kwargs)
        # (SegmentWriter ignores its poolclass argument: the pool is replaced here.)
        self.pool = TermBuffer(self._tempstorage, self.newsegment, limitmb=limitmb)

    def per_document_reader(self):
        return LengthTable(super().per_document_reader())

    def _flush_segment(self):
        if self.pool.runs or not isinstance(self.fieldwriter, CompactFieldWriter):
            return super()._flush_segment()     # spilled, or another codec: one posting at a time
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        self.fieldwriter.add_terms(self.schema, lengths, self.pool.terms())
        self.fieldwriter.close()
        if lengths is not None:
            lengths.close()


class OrphanSafeTask(SubWriterTask):
    """A sub-writer process that dies with the indexer, caches lengths, and
    starts a new segment when its posting pool is nearly full.

    Forked sub-writers share the parent's write-lock file description; if the
    parent were SIGKILLed they would live on holding the lock, and every later
    run would be refused as "busy". A full pool would spill sorted runs to
    disk and merge them back at the end, in Python: at 4x clickid that merge
    tripled the build's CPU time. Closing the segment instead costs nothing
    but one more segment to search (as Lucene flushes its RAM buffer).
    """

    def run(self):
        die_with_parent()
        ix = self.storage.open_index(self.indexname)
        self.writer = self.new_writer(ix)
        segments = []
        while self.running:
            jobinfo = self.jobqueue.get()
            if jobinfo is None:
                break
            self._process_file(*jobinfo)
            if pool_nearly_full(self.writer.pool):
                segments.append(self.writer._finalize_segment())
                self.writer = self.new_writer(ix)
        if not self.running:
            self.writer.cancel()
            return
        fieldnames = self.writer.pool.fieldnames
        if self.writer.docnum > 0 or not segments:
            segments.append(self.writer._finalize_segment())
        else:
            self.writer._close_segment()
        self.resultqueue.put((None, fieldnames, segments), timeout=5)

    def new_writer(self, ix) -> LengthCachingWriter:
        # _lk=False: the parent holds the index's write lock.
        return LengthCachingWriter(ix, _lk=False, **self.kwargs)


def pool_nearly_full(pool) -> bool:
    """Another job file (100 documents) still fits without a spill to disk."""
    return bool(pool.runs) or pool.currentsize >= pool.limit * POOL_FLUSH_SHARE


class ParallelWriter(MpWriter):
    """Whoosh's multi-process writer (one or more segments per sub-writer),
    with sub-writers that die with us."""

    def __init__(self, ix, procs: int, **kwargs):
        # The codec also reaches the sub-writers (MpWriter passes them its kwargs).
        kwargs.setdefault("codec", CariCodec())
        super().__init__(ix, procs=procs, multisegment=True, **kwargs)

    def _new_task(self):
        task = OrphanSafeTask(self.storage, self.indexname, self.jobqueue,
                              self.resultqueue, self.subargs, self.multisegment)
        self.tasks.append(task)
        task.start()
        return task

    def _commit(self, mergetype, optimize, merge):
        # Whoosh's MpWriter._commit for multisegment, taking a list of segments
        # from each sub-writer, and failing (the index keeps its previous
        # state) rather than silently dropping a sub-writer that gave nothing.
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self.jobqueue.put(None)
        finalsegments = self._merge_segments(mergetype, optimize, merge)
        for task in self.tasks:
            task.join()
        for task in self.tasks:
            try:
                _, _, segments = self.resultqueue.get(timeout=1)
            except queue.Empty:
                raise RuntimeError("an indexing process ended without its results "
                                   f"(exit code {task.exitcode}); nothing was committed") from None
            finalsegments.extend(segments)
        if self._added:
            finalsegments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(finalsegments)
        self._finish()


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no-op elsewhere)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
