"""count_police_uk on a dask cluster: one task per file, results added up in file order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hotspots._errors import InputError

if TYPE_CHECKING:
    from distributed import Future

    from hotspots.aggregation._stream import _FileTask, _Placed
    from hotspots.io._police_uk import _Member

INSTALL_HINT = (
    "client= needs dask.distributed: pip install 'london-hotspots[dask]' "
    "(or pip install 'dask[distributed]')"
)


def map_files(client: object, task: _FileTask, members: list[_Member]) -> Iterator[list[_Placed]]:
    """Run ``task`` on each file as a dask task; yield the results in file order.

    The areas (inside ``task``) are sent to every worker once. At most a few
    files per worker thread are in flight, so that finished files' results do
    not pile up on the workers while earlier ones are still being read.
    """
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - dask is an optional dependency
        raise InputError(INSTALL_HINT) from None
    if not isinstance(client, Client):
        raise InputError("client must be a dask.distributed.Client", value=type(client).__name__)
    from hotspots.aggregation._stream import _picklable_reader, _run_task
    from hotspots.io._police_uk import _Member

    shared = client.scatter(task, broadcast=True, hash=False)
    members = [_Member(m.name, _picklable_reader(m)) for m in members]
    threads = max(1, sum(client.nthreads().values()))
    pending: list[Future[list[_Placed]]] = []
    for member in members:
        pending.append(client.submit(_run_task, shared, member, pure=False))
        if len(pending) > 2 * threads:
            future = pending.pop(0)
            yield future.result()
            future.release()
    for future in pending:
        yield future.result()
        future.release()
