"""Samples held compactly: a run can last a day (86,400 samples at one a second) or longer,
and a Python object per sample and per array (about 800 bytes each) would make its memory
grow by tens of megabytes. :class:`SampleStore` keeps the samples as numpy columns in
chunks of fixed size (at 5 colours, 86 bytes a sample), append only; full chunks but the
latest are moved to an unnamed temporary file and read back when needed (a small cache),
so memory stays flat however long a run lasts: 8 bytes a sample stay, their times.
:class:`Samples` is a read-only view of a store's first n samples, a sequence of
:class:`~.colors.Sample` made on access. A view never changes: rows below its length are
never written again."""

from __future__ import annotations

import os
import tempfile
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

import numpy as np

from ..errors import InvalidValue
from .colors import Palette, Sample, sealed
from .rows import Row, columns, not_increasing

#: Samples per chunk (about 340 KiB at 5 colours); the first chunk grows up to it.
CHUNK = 4096
_FIRST = 16
#: Full chunks kept in memory besides the one being filled (older ones go to the file).
KEEP = 1
#: Chunks read back from the file kept in memory.
CACHE = 2


class _Chunk:
    """The columns of up to ``size`` samples with up to ``k`` colours each."""

    __slots__ = ("frame", "time", "ncolors", "colors", "weights", "inertia", "cut", "mean", "has_mean")

    def __init__(self, size: int, k: int) -> None:
        self.frame = np.zeros(size, np.int64)
        self.time = np.zeros(size, np.float64)
        self.ncolors = np.zeros(size, np.uint16)
        self.colors = np.zeros((size, k, 3), np.uint8)
        self.weights = np.zeros((size, k), np.float64)
        self.inertia = np.zeros(size, np.float64)
        self.cut = np.zeros(size, bool)
        self.mean = np.zeros((size, 3), np.uint8)
        self.has_mean = np.zeros(size, bool)

    def dump(self) -> bytes:
        """Every column but ``time`` (which stays in memory), as bytes."""
        return b"".join(getattr(self, name).tobytes() for name in self.__slots__ if name != "time")

    @classmethod
    def load(cls, data: bytes, size: int, k: int, time: np.ndarray) -> _Chunk:
        """The chunk :meth:`dump` made, read-only."""
        chunk = cls.__new__(cls)
        chunk.time = time
        at = 0
        for name, (dtype, shape) in (("frame", (np.int64, (size,))), ("ncolors", (np.uint16, (size,))),
                                     ("colors", (np.uint8, (size, k, 3))), ("weights", (np.float64, (size, k))),
                                     ("inertia", (np.float64, (size,))), ("cut", (bool, (size,))),
                                     ("mean", (np.uint8, (size, 3))), ("has_mean", (bool, (size,)))):
            n = int(np.prod(shape)) * np.dtype(dtype).itemsize
            setattr(chunk, name, np.frombuffer(data, dtype, count=n // np.dtype(dtype).itemsize, offset=at).reshape(shape))
            at += n
        return chunk

    def resized(self, size: int, k: int) -> _Chunk:
        """A copy with room for ``size`` samples of ``k`` colours (rows kept, the rest zero)."""
        new = _Chunk(size, k)
        n, kk = min(size, len(self.frame)), min(k, self.colors.shape[1])
        for name in self.__slots__:
            old, arr = getattr(self, name), getattr(new, name)
            if name in ("colors", "weights"):
                arr[:n, :kk] = old[:n, :kk]
            else:
                arr[:n] = old[:n]
        return new


class _Key:
    """What a cache of a store's values keys on (:attr:`Samples.key`): one per store, alive
    as long as it is, giving no way to the store itself."""

    __slots__ = ("__weakref__",)


class SampleStore:
    """Samples appended one by one, held as columns (see the module docstring). Not
    thread-safe: one writer; views may be read anywhere."""

    def __init__(self, colors: int = 1, capacity: int | None = None) -> None:
        self._key = _Key()
        self._k = max(1, colors)
        self._n = 0
        self._first = min(CHUNK, max(1, capacity)) if capacity else _FIRST
        self._chunks: list[_Chunk | tuple[int, int, int]] = []  # in memory, or (offset, bytes, k) in the file
        self._times: list[np.ndarray] = []  # every chunk's time column, always in memory
        self._file: Any = None
        self._loaded: OrderedDict[int, _Chunk] = OrderedDict()
        self._last: tuple[int, float] | None = None  # the last sample's frame index and time

    def _chunk(self, c: int) -> _Chunk:
        chunk = self._chunks[c]
        if isinstance(chunk, _Chunk):
            return chunk
        loaded = self._loaded.get(c)
        if loaded is None:
            offset, size, k = chunk
            loaded = self._loaded[c] = _Chunk.load(os.pread(self._file.fileno(), size, offset), CHUNK, k,
                                                   self._times[c])
            if len(self._loaded) > CACHE:
                self._loaded.popitem(last=False)
        return loaded

    def _spill(self, c: int) -> None:
        """Move full chunk ``c`` to the file."""
        chunk = self._chunks[c]
        assert isinstance(chunk, _Chunk)
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="streamprint-samples-")
        data = chunk.dump()
        offset = self._file.seek(0, os.SEEK_END)
        self._file.write(data)
        self._file.flush()
        self._chunks[c] = (offset, len(data), chunk.colors.shape[1])

    def __getstate__(self) -> dict[str, Any]:  # pickled with every chunk in memory
        state = dict(self.__dict__, _file=None, _loaded=OrderedDict())
        state["_chunks"] = [self._chunk(c) for c in range(len(self._chunks))]
        return state

    def __len__(self) -> int:
        return self._n

    def append(self, sample: Sample) -> None:
        """Add ``sample``, after the last one: its frame index and time must be greater."""
        if not isinstance(sample, Sample):
            raise InvalidValue("samples must be Sample values")
        if self._last is not None:
            frame, time = self._last
            if sample.frame <= frame:
                raise InvalidValue(not_increasing("frame", sample.frame, frame))
            if sample.time <= time:
                raise InvalidValue(not_increasing("time", sample.time, time))
        self._last = (sample.frame, sample.time)
        p = sample.palette
        if len(p) > self._k:  # the chunks in memory get wider; those in the file keep their width
            self._k = len(p)
            self._chunks = [c.resized(len(c.frame), self._k) if isinstance(c, _Chunk) else c for c in self._chunks]
            self._times = [c.time if isinstance(c, _Chunk) else t for c, t in zip(self._chunks, self._times, strict=True)]
        c, r = divmod(self._n, CHUNK)
        chunk = self._new_chunk() if c == len(self._chunks) else self._chunks[c]
        assert isinstance(chunk, _Chunk)
        if r == len(chunk.frame):  # the first chunk, full below CHUNK: grow it
            chunk = self._chunks[c] = chunk.resized(min(CHUNK, 2 * r), self._k)
            self._times[c] = chunk.time
        n = len(p)
        chunk.frame[r], chunk.time[r], chunk.ncolors[r] = sample.frame, sample.time, n
        chunk.colors[r, :n], chunk.weights[r, :n] = p.colors, p.weights
        chunk.inertia[r], chunk.cut[r] = p.inertia, p.cut
        if p.mean is not None:
            chunk.mean[r], chunk.has_mean[r] = p.mean, True
        self._n += 1

    def _add_chunk(self, cols: dict[str, np.ndarray]) -> None:
        """Add a chunk's worth of samples as its columns (checked: :func:`.rows.columns`)."""
        m = len(cols["frame"])
        assert self._n % CHUNK == 0 and m <= CHUNK and cols["colors"].shape[1] <= self._k
        chunk = self._new_chunk()
        for name, col in cols.items():
            if name in ("colors", "weights"):  # (a store may be wider than its samples)
                getattr(chunk, name)[:m, :col.shape[1]] = col
            else:
                getattr(chunk, name)[:m] = col
        self._n += m
        self._last = (int(cols["frame"][-1]), float(cols["time"][-1]))

    def _new_chunk(self) -> _Chunk:
        """An empty chunk after the last (the first is as long as the store was opened for),
        the oldest in memory beyond :data:`KEEP` written to the file."""
        c = len(self._chunks)
        chunk = _Chunk(self._first if c == 0 else CHUNK, self._k)
        self._chunks.append(chunk)
        self._times.append(chunk.time)
        if c > KEEP:
            self._spill(c - KEEP - 1)
        return chunk

    def extend(self, samples: Iterable[Sample]) -> None:
        """:meth:`append` each of ``samples``, in order."""
        for s in samples:
            self.append(s)

    def view(self) -> Samples:
        """The samples so far, as a read-only sequence that later appends do not change."""
        return Samples(self, self._n)

    def _sample(self, i: int) -> Sample:
        chunk = self._chunk(i // CHUNK)
        r = i % CHUNK
        n = int(chunk.ncolors[r])
        # copies: a view would keep the whole chunk alive, also once it is in the file
        mean = sealed(chunk.mean[r]) if chunk.has_mean[r] else None
        palette = Palette._trusted(sealed(chunk.colors[r, :n]), sealed(chunk.weights[r, :n]),
                                   float(chunk.inertia[r]), bool(chunk.cut[r]), mean)
        return Sample._trusted(int(chunk.frame[r]), float(chunk.time[r]), palette)

    def _rows(self, start: int, stop: int) -> Iterator[Row]:
        """Rows ``start`` to ``stop``, converted a chunk at a time (no objects per sample)."""
        while start < stop:
            chunk, r = self._chunk(start // CHUNK), start % CHUNK
            e = r + min(stop - start, CHUNK - r)
            n = chunk.ncolors[r:e].tolist()
            colors, weights = chunk.colors[r:e].tolist(), chunk.weights[r:e].tolist()
            means, has = chunk.mean[r:e].tolist(), chunk.has_mean[r:e].tolist()
            for i, (f, t, inertia, cut) in enumerate(zip(chunk.frame[r:e].tolist(), chunk.time[r:e].tolist(),
                                                         chunk.inertia[r:e].tolist(), chunk.cut[r:e].tolist(), strict=True)):
                k = n[i]
                yield f, t, colors[i][:k], weights[i][:k], inertia, cut, means[i] if has[i] else None
            start += e - r

    def _column(self, name: str, n: int) -> np.ndarray:
        parts = self._times if name == "time" else [getattr(self._chunk(c), name) for c in range(len(self._chunks))]
        out = np.concatenate(parts)[:n] if parts else np.zeros(0, np.float64 if name == "time" else np.int64)
        return sealed(out)


class Samples(Sequence[Sample]):
    """A read-only sequence of samples: the first ``n`` of a :class:`SampleStore`, as wide
    as the store was when the view was made (a wider sample appended later changes no view).
    ``==`` compares contents (also with a tuple or list of samples)."""

    __slots__ = ("_store", "_n", "_k", "_times")

    def __init__(self, store: SampleStore, n: int, k: int | None = None) -> None:
        self._store, self._n = store, n
        self._k = store._k if k is None else k
        self._times: np.ndarray | None = None

    @classmethod
    def of(cls, samples: Iterable[Sample]) -> Samples:
        """``samples`` as a :class:`Samples` (itself when it is one)."""
        if isinstance(samples, Samples):
            return samples
        if not isinstance(samples, Iterable) or isinstance(samples, (str, bytes)):  # (None was TypeError)
            raise InvalidValue(f"samples must be Sample values (a list, a tuple, ...), got {type(samples).__name__}")
        items = samples if isinstance(samples, (list, tuple)) else list(samples)
        colors = max((len(s.palette) for s in items if isinstance(s, Sample)), default=1)
        store = SampleStore(colors, capacity=len(items))
        store.extend(items)
        return store.view()

    @classmethod
    def _from_rows(cls, rows: Sequence[Row]) -> Samples:
        """Samples of ``rows`` (:data:`Row`) as a reader makes them from a data file, having
        checked their types (whole numbers for frames and colours, floats for times,
        weights and inertia, bools for cuts) and no rule of the model's: those are checked
        here, once for all the rows (:func:`.rows.columns`). InvalidValue names the first
        sample that breaks one."""
        if not rows:
            return SampleStore().view()
        cols = columns(rows)
        store = SampleStore(cols["colors"].shape[1], capacity=len(rows))
        for start in range(0, len(rows), CHUNK):
            store._add_chunk({name: col[start:start + CHUNK] for name, col in cols.items()})
        return store.view()

    def __len__(self) -> int:
        return self._n

    @property
    def colors(self) -> int:
        """At least as many colours as the widest palette has (exactly that for samples given
        as a sequence; a store's own width, the options' colours, for a run's)."""
        return self._k

    @overload
    def __getitem__(self, i: int) -> Sample: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[Sample, ...]: ...

    def __getitem__(self, i: int | slice) -> Sample | tuple[Sample, ...]:
        if isinstance(i, slice):
            return tuple(self._store._sample(j) for j in range(*i.indices(self._n)))
        j = i + self._n if i < 0 else i
        if not 0 <= j < self._n:
            raise IndexError("sample index out of range")
        return self._store._sample(j)

    def __iter__(self) -> Iterator[Sample]:
        for i in range(self._n):
            yield self._store._sample(i)

    def first(self, n: int) -> Samples:
        """A view of the first ``n`` of these samples."""
        return Samples(self._store, max(0, min(n, self._n)), self._k)

    def rows(self, start: int = 0, stop: int | None = None) -> Iterator[Row]:
        """Samples ``start`` to ``stop`` as plain values (:data:`Row`), cheaper than samples."""
        stop = self._n if stop is None else min(stop, self._n)
        return self._store._rows(max(0, start), stop)

    @property
    def times(self) -> np.ndarray:
        """Sample times in seconds, float64 (n,), read-only."""
        if self._times is None:
            self._times = self._store._column("time", self._n)
        return self._times

    def times_since(self, i: int) -> np.ndarray:
        """The times of samples ``i`` onwards (float64, read-only), without the rest."""
        c = max(0, i) // CHUNK
        parts = self._store._times[c:]
        return sealed(np.concatenate(parts)[max(0, i) - c * CHUNK:self._n - c * CHUNK]) if parts \
            else np.zeros(0, np.float64)

    @property
    def key(self) -> object:
        """One object for every view of one store, as long as it lives (what a cache of a
        growing run's values keys on). Not the store: a fingerprint's samples gave theirs
        (``fp.samples.store``), and a sample appended to it changed a frozen fingerprint."""
        return self._store._key

    def palette_chunks(self, first: int = 0) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
        """The palettes of these samples as columns, a chunk of :data:`CHUNK` samples at a
        time from chunk number ``first`` on: (chunk number, colours (m, k, 3) uint8 sRGB,
        weights (m, k) float64, colour counts (m,) uint16), read-only; a sample's colours
        and weights beyond its count are padding (k at most :attr:`colors`)."""
        # copies: views of the chunk, which the store still writes into, could be made writable
        for c, chunk, m in self._chunks(first):
            yield (c, sealed(chunk.colors[:m, :self._k]), sealed(chunk.weights[:m, :self._k]),
                   sealed(chunk.ncolors[:m]))

    def mean_chunks(self, first: int = 0) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """Each sample's average colour as columns, a chunk at a time as
        :meth:`palette_chunks`: (chunk number, means (m, 3) uint8 sRGB, whether the sample
        has one (m,) bool), read-only; a mean where it has none is padding."""
        for c, chunk, m in self._chunks(first):
            yield c, sealed(chunk.mean[:m]), sealed(chunk.has_mean[:m])

    def _chunks(self, first: int) -> Iterator[tuple[int, _Chunk, int]]:
        """Chunk number, the store's chunk and how many of its samples are these samples',
        for each chunk from number ``first`` on."""
        for c in range(max(0, first), -(-self._n // CHUNK)):
            yield c, self._store._chunk(c), min(CHUNK, self._n - c * CHUNK)

    @property
    def frames(self) -> np.ndarray:
        """Frame indices, int64 (n,), read-only."""
        return self._store._column("frame", self._n)

    def extends(self, other: Samples) -> bool:
        """True when these samples are ``other``'s followed by none or more (views of one
        store, as a run's fingerprints so far are)."""
        return isinstance(other, Samples) and other._store is self._store and other._n <= self._n

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Samples) and other._store is self._store:
            return other._n == self._n
        if not isinstance(other, (Samples, tuple, list)):
            return NotImplemented
        return len(other) == self._n and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash((self._n, self.times.tobytes()))

    def __repr__(self) -> str:
        return f"Samples({self._n} samples)"
