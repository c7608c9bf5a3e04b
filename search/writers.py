"""The Whoosh writers the indexer uses: one process, or sub-writer processes.

Both write exactly what Whoosh's own writers write. They differ in two ways:
sub-writer processes die with the indexer, and a segment's postings are
written with each field's lengths read once per document instead of once per
posting (Whoosh 2.7.4 looks the length up in the column file for every
posting: about 15% of indexing time in a profile).
"""
from __future__ import annotations

import ctypes
import signal

from whoosh import multiproc
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import SegmentWriter

PR_SET_PDEATHSIG = 1


class LengthTable:
    """A per-document reader whose ``doc_field_length`` answers from a list
    filled the first time a field is asked for; everything else is delegated."""

    def __init__(self, reader):
        self._reader = reader
        self._lengths: dict[tuple[str, int], list] = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        lengths = self._lengths.get((fieldname, default))
        if lengths is None:
            read = self._reader.doc_field_length
            lengths = self._lengths[fieldname, default] = [
                read(doc, fieldname, default) for doc in range(self._reader.doc_count_all())]
        return lengths[docnum]

    def __getattr__(self, name):
        return getattr(self._reader, name)


class LengthCachingWriter(SegmentWriter):
    """Whoosh's SegmentWriter; postings are written against a :class:`LengthTable`."""

    def per_document_reader(self):
        return LengthTable(super().per_document_reader())


class OrphanSafeTask(SubWriterTask):
    """A sub-writer process that dies with the indexer and caches lengths.

    Forked sub-writers share the parent's write-lock file description; if the
    parent were SIGKILLed they would live on holding the lock, and every later
    run would be refused as "busy".
    """

    def run(self):
        die_with_parent()
        # Whoosh's loop builds its writer from this module global; this
        # process is a fork of the indexer, so rebinding it changes nothing
        # outside the sub-writer.
        multiproc.SegmentWriter = LengthCachingWriter
        super().run()


class ParallelWriter(MpWriter):
    """Whoosh's multi-process writer, with sub-writers that die with us."""

    def _new_task(self):
        task = OrphanSafeTask(self.storage, self.indexname, self.jobqueue,
                              self.resultqueue, self.subargs, self.multisegment)
        self.tasks.append(task)
        task.start()
        return task


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no-op elsewhere)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
