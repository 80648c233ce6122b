"""GET /api/v1/credentials/{id}/competencies: a credential's competencies a page at a time."""

from __future__ import annotations

from service.credentials.importing import import_credential_file
from service.db import session_scope
from tests.support.big_credentials import ctdl_graph


async def test_competencies_read_in_pages_in_their_order(app, api, other_api, tenant):
    async with session_scope(app.state.engine) as session:
        report = await import_credential_file(
            session, tenant.org_id, ctdl_graph(7, "Paged"), "application/ld+json", None
        )
    credential_id = report.credentials[0].id
    url = f"/api/v1/credentials/{credential_id}/competencies"
    pages = [(await api.get(url, params={"limit": 3, "offset": offset})).json() for offset in (0, 3, 6)]
    assert [p["total"] for p in pages] == [7, 7, 7]
    assert [len(p["items"]) for p in pages] == [3, 3, 1]
    texts = [c["text"] for p in pages for c in p["items"]]
    assert texts == [f"Weld {i}" for i in range(7)]
    assert all(c["links"] == [] for p in pages for c in p["items"])
    default = (await api.get(url)).json()
    assert default["limit"] == 100 and len(default["items"]) == 7
    assert (await api.get(url, params={"limit": 501})).status_code == 400
    assert (await api.get(url, params={"offset": -1})).status_code == 400
    assert (await other_api.get(url)).status_code == 404
