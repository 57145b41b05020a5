"""What every candidate generator is, and the save/load plumbing they share.

A generator learns from :class:`~recommendations.ml.data.TrainingData` and then, for any retailers, scores every
product (``score``), lists its best ``k`` as candidates with a reason in words (``candidates``), and says why for
given pairs (``explain``). Its learned state is saved as one NumPy ``.npz`` file of plain arrays plus a JSON header,
read back with ``allow_pickle=False``, so an artifact never runs code and outlives a library upgrade.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .data import TrainingData

CANDIDATE_COLUMNS = ("retailer_id", "product_id", "score", "reason", "source")


@runtime_checkable
class CandidateGenerator(Protocol):
    """scikit-learn habits: ``__init__`` stores parameters only, ``fit`` returns self, learned state ends in ``_``.

    ``candidates`` returns a frame with :data:`CANDIDATE_COLUMNS`, at most ``k`` rows per retailer, best first;
    ``exclude`` (retailers x products, boolean) removes pairs before the cut, e.g. products already bought.
    """

    name: str

    def fit(self, data: TrainingData) -> CandidateGenerator: ...

    def score(self, retailer_ids) -> np.ndarray: ...

    def candidates(self, retailer_ids, *, k: int = 50, exclude: np.ndarray | None = None) -> pd.DataFrame: ...

    def explain(self, retailer_id, product_ids) -> list[str]: ...

    def save(self, path: str | Path) -> None: ...

    @classmethod
    def load(cls, path: str | Path) -> CandidateGenerator: ...


class Generator:
    """Shared machinery: ids, top-k candidates with reasons, and the ``.npz`` artifact.

    A subclass defines ``name``, ``_fit(data)``, ``score(retailer_ids)``, ``explain(retailer_id, product_ids)``,
    and lists its parameters in ``params`` and its learned arrays in ``arrays`` (sparse matrices allowed).
    """

    name: ClassVar[str] = "generator"
    params: ClassVar[tuple[str, ...]] = ()
    arrays: ClassVar[tuple[str, ...]] = ()

    def fit(self, data: TrainingData):
        self.retailer_ids_ = np.asarray(data.retailer_ids, dtype=object)
        self.product_ids_ = np.asarray(data.product_ids, dtype=object)
        self.product_names_ = data.products["name"].to_numpy(dtype=object)
        self.as_of_ = pd.Timestamp(data.as_of)
        self._fit(data)
        return self

    def _fit(self, data: TrainingData) -> None:
        raise NotImplementedError

    def get_params(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.params}

    def _rows(self, retailer_ids) -> np.ndarray:
        """Row of each retailer in the learned matrices, -1 when it had no history at fit time."""
        return self._index_of("retailer_ids_").get_indexer(pd.Index(list(retailer_ids)))

    def _products(self, product_ids) -> np.ndarray:
        return self._index_of("product_ids_").get_indexer(pd.Index(list(product_ids)))

    def _index_of(self, name: str) -> pd.Index:
        """A lookup index of the learned ids ``name``, built once per fit or load rather than at every request
        (building it was most of a one-shop answer's id lookups)."""
        ids = getattr(self, name)
        cached = self.__dict__.get(f"_{name}index")
        if cached is None or cached[0] is not ids:
            cached = (ids, pd.Index(ids))
            self.__dict__[f"_{name}index"] = cached
        return cached[1]

    def score(self, retailer_ids) -> np.ndarray:
        raise NotImplementedError

    def explain(self, retailer_id, product_ids) -> list[str]:
        raise NotImplementedError

    def candidates(self, retailer_ids, *, k: int = 50, exclude: np.ndarray | None = None) -> pd.DataFrame:
        retailer_ids = list(retailer_ids)
        scores = self.score(retailer_ids)
        if exclude is not None:
            scores = np.where(exclude, -np.inf, scores)
        rows, cols = top_k(scores, k)
        frame = pd.DataFrame(
            {
                "retailer_id": np.asarray(retailer_ids, dtype=object)[rows],
                "product_id": self.product_ids_[cols],
                "score": scores[rows, cols].astype(float),
            }
        )
        reasons = []
        for retailer_id, group in frame.groupby("retailer_id", sort=False)["product_id"]:
            reasons.extend(zip(group.index, self.explain(retailer_id, group.to_numpy()), strict=True))
        frame["reason"] = pd.Series(dict(reasons), dtype=object).reindex(frame.index)
        frame["source"] = self.name
        return frame[list(CANDIDATE_COLUMNS)]

    def save(self, path: str | Path) -> None:
        header = {
            "kind": self.name,
            "params": self.get_params(),
            "retailer_ids": _plain(self.retailer_ids_),
            "product_ids": _plain(self.product_ids_),
            "product_names": _plain(self.product_names_),
            "as_of": str(self.as_of_.date()),
            "extra": self._extra_header(),
            "versions": {"numpy": np.__version__},
        }
        payload: dict[str, np.ndarray] = {"header": np.array(json.dumps(header))}
        for name in self.arrays:
            value = getattr(self, name)
            if sp.issparse(value):
                value = value.tocsr()
                payload.update(
                    {
                        f"{name}.data": value.data,
                        f"{name}.indices": value.indices,
                        f"{name}.indptr": value.indptr,
                        f"{name}.shape": np.asarray(value.shape),
                    }
                )
            else:
                payload[name] = np.asarray(value)
        with open(path, "wb") as handle:
            np.savez_compressed(handle, **payload)

    @classmethod
    def load(cls, path: str | Path):
        with np.load(path, allow_pickle=False) as archive:
            header = json.loads(str(archive["header"]))
            if header.get("kind") != cls.name:
                raise ValueError(f"not a {cls.name} artifact (kind={header.get('kind')!r})")
            model = cls(**header["params"])
            for name in cls.arrays:
                if f"{name}.data" in archive.files:
                    shape = tuple(int(v) for v in archive[f"{name}.shape"])
                    matrix = (archive[f"{name}.data"], archive[f"{name}.indices"], archive[f"{name}.indptr"])
                    setattr(model, name, sp.csr_matrix(matrix, shape=shape))
                else:
                    setattr(model, name, archive[name])
        model.retailer_ids_ = np.asarray(header["retailer_ids"], dtype=object)
        model.product_ids_ = np.asarray(header["product_ids"], dtype=object)
        model.product_names_ = np.asarray(header["product_names"], dtype=object)
        model.as_of_ = pd.Timestamp(header["as_of"])
        model._restore_header(header["extra"])
        return model

    def _extra_header(self) -> dict[str, Any]:
        """Small learned state that is not an array (names, labels), for the JSON header."""
        return {}

    def _restore_header(self, extra: dict[str, Any]) -> None:
        return None


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each row's ``k`` best finite scores, best first within a row (ties by column)."""
    n_rows, n_cols = scores.shape
    k = min(k, n_cols)
    if k <= 0 or n_rows == 0:
        return np.array([], dtype=int), np.array([], dtype=int)
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k] if k < n_cols else np.tile(np.arange(n_cols), (n_rows, 1))
    picked = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -picked), axis=1)
    cols = np.take_along_axis(part, order, axis=1)
    values = np.take_along_axis(picked, order, axis=1)
    rows = np.repeat(np.arange(n_rows), k).reshape(n_rows, k)
    keep = np.isfinite(values) & (values > 0)
    return rows[keep], cols[keep]


def dense_rows(matrix: sp.csr_matrix, rows: np.ndarray, right: sp.spmatrix | None = None) -> np.ndarray:
    """Dense copy of the given rows (times ``right`` when given), zeros for row -1 (a retailer never seen)."""
    width = matrix.shape[1] if right is None else right.shape[1]
    out = np.zeros((len(rows), width), dtype=np.float32)
    known = rows >= 0
    if known.any():
        picked = matrix[rows[known]]
        out[known] = (picked if right is None else picked @ right).toarray()
    return out


def days_phrase(days: float) -> str:
    days = round(days)
    if days % 7 == 0 and days >= 14:
        return f"{days // 7} weeks"
    return "1 day" if days == 1 else f"{days} days"


def _plain(ids: np.ndarray) -> list:
    return [v.item() if isinstance(v, np.generic) else v for v in ids]
