"""Samples held compactly: a run can last a day (86,400 samples at one a second), and a
Python object per sample and per array (about 800 bytes each) would make its memory grow
by tens of megabytes. :class:`SampleStore` keeps the samples as numpy columns in chunks
of fixed size (at 5 colours, 84 bytes a sample), append only; :class:`Samples` is a
read-only view of its first n samples, a sequence of :class:`~.colors.Sample` made on
access. A view never changes: rows below its length are never written again."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import overload

import numpy as np

from .colors import Palette, Sample

#: Samples per chunk (about 340 KiB at 5 colours); the first chunk grows up to it.
CHUNK = 4096
_FIRST = 16


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


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


class SampleStore:
    """Samples appended one by one, held as columns (see the module docstring). Not
    thread-safe: one writer; views may be read anywhere."""

    def __init__(self, colors: int = 1, capacity: int | None = None) -> None:
        self._k = max(1, colors)
        self._n = 0
        self._first = min(CHUNK, max(1, capacity)) if capacity else _FIRST
        self._chunks: list[_Chunk] = []

    def __len__(self) -> int:
        return self._n

    def append(self, sample: Sample) -> None:
        if not isinstance(sample, Sample):
            raise ValueError("samples must be Sample values")
        p = sample.palette
        if len(p) > self._k:
            self._k = len(p)
            self._chunks = [c.resized(len(c.frame), self._k) for c in self._chunks]
        c, r = divmod(self._n, CHUNK)
        if c == len(self._chunks):
            self._chunks.append(_Chunk(self._first if c == 0 else CHUNK, self._k))
        chunk = self._chunks[c]
        if r == len(chunk.frame):  # the first chunk, full below CHUNK: grow it
            chunk = self._chunks[c] = chunk.resized(min(CHUNK, 2 * r), self._k)
        n = len(p)
        chunk.frame[r], chunk.time[r], chunk.ncolors[r] = sample.frame, sample.time, n
        chunk.colors[r, :n], chunk.weights[r, :n] = p.colors, p.weights
        chunk.inertia[r], chunk.cut[r] = p.inertia, p.cut
        if p.mean is not None:
            chunk.mean[r], chunk.has_mean[r] = p.mean, True
        self._n += 1

    def extend(self, samples: Iterable[Sample]) -> None:
        for s in samples:
            self.append(s)

    def view(self) -> Samples:
        """The samples so far, as a read-only sequence that later appends do not change."""
        return Samples(self, self._n)

    def _sample(self, i: int) -> Sample:
        chunk = self._chunks[i // CHUNK]
        r = i % CHUNK
        n = int(chunk.ncolors[r])
        mean = _readonly(chunk.mean[r]) if chunk.has_mean[r] else None
        palette = Palette._trusted(_readonly(chunk.colors[r, :n]), _readonly(chunk.weights[r, :n]),
                                   float(chunk.inertia[r]), bool(chunk.cut[r]), mean)
        return Sample._trusted(int(chunk.frame[r]), float(chunk.time[r]), palette)

    def _column(self, name: str, n: int) -> np.ndarray:
        parts = [getattr(c, name) for c in self._chunks]
        out = np.concatenate(parts)[:n] if parts else np.zeros(0, np.float64 if name == "time" else np.int64)
        return _readonly(out)


class Samples(Sequence[Sample]):
    """A read-only sequence of samples: the first ``n`` of a :class:`SampleStore`.
    ``==`` compares contents (also with a tuple or list of samples)."""

    __slots__ = ("_store", "_n", "_times")

    def __init__(self, store: SampleStore, n: int) -> None:
        self._store, self._n = store, n
        self._times: np.ndarray | None = None

    @classmethod
    def of(cls, samples: Iterable[Sample]) -> Samples:
        """``samples`` as a :class:`Samples` (itself when it is one)."""
        if isinstance(samples, Samples):
            return samples
        items = samples if isinstance(samples, (list, tuple)) else list(samples)
        colors = max((len(s.palette) for s in items if isinstance(s, Sample)), default=1)
        store = SampleStore(colors, capacity=len(items))
        store.extend(items)
        return store.view()

    def __len__(self) -> int:
        return self._n

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

    @property
    def times(self) -> np.ndarray:
        """Sample times in seconds, float64 (n,), read-only."""
        if self._times is None:
            self._times = self._store._column("time", self._n)
        return self._times

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
        return len(other) == self._n and all(a == b for a, b in zip(self, other))

    def __hash__(self) -> int:
        return hash((self._n, self.times.tobytes()))

    def __repr__(self) -> str:
        return f"Samples({self._n} samples)"
