"""A client for the tafuta HTTP API, standard library only (Python >= 3.8).

Answers are the API's JSON as dicts and lists (see /openapi.json); a non-2xx answer raises TafutaApiError with the
API's status, code and message. Keys go in the Authorization header, never in a URL.
"""

import json
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["TafutaClient", "TafutaApiError"]


class TafutaApiError(Exception):
    """A non-2xx answer: `status` (HTTP), `code` ("COLLECTION_NOT_FOUND", "UNAUTHORIZED", ...), `message`, `details`."""

    def __init__(self, status, code, message, details=None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def _quote(segment):
    return urllib.parse.quote(segment, safe="")


class TafutaClient:
    def __init__(self, base_url, api_key=None, timeout=30.0):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    def info(self):
        return self._request("GET", "/v1/info")

    def list_collections(self):
        return self._request("GET", "/v1/collections")["collections"]

    def get_collection(self, name):
        return self._request("GET", f"/v1/collections/{_quote(name)}")

    def create_collection(self, name, encoder=None, dim=None, config=None):
        body = {"name": name}
        for key, value in (("encoder", encoder), ("dim", dim), ("config", config)):
            if value is not None:
                body[key] = value
        return self._request("POST", "/v1/collections", body)

    def delete_collection(self, name, force=False):
        """A collection that holds documents needs force=True."""
        suffix = "?force=true" if force else ""
        return self._request("DELETE", f"/v1/collections/{_quote(name)}{suffix}")

    def upsert_documents(self, collection, documents):
        """At most 1000 documents ({"id", "text", "lang"?, "title"?, "metadata"?}), written in one transaction."""
        return self._request("POST", f"/v1/collections/{_quote(collection)}/documents", {"documents": list(documents)})

    def list_documents(self, collection, limit=None, cursor=None, filter=None):
        query = {}
        if limit is not None:
            query["limit"] = str(limit)
        if cursor is not None:
            query["cursor"] = cursor
        if filter is not None:
            query["filter"] = json.dumps(filter, ensure_ascii=False)
        suffix = f"?{urllib.parse.urlencode(query)}" if query else ""
        return self._request("GET", f"/v1/collections/{_quote(collection)}/documents{suffix}")

    def iter_documents(self, collection, page_size=100, filter=None):
        """Every document of the collection, following next_cursor page by page."""
        cursor = None
        while True:
            page = self.list_documents(collection, limit=page_size, cursor=cursor, filter=filter)
            yield from page["documents"]
            cursor = page["next_cursor"]
            if cursor is None:
                return

    def get_document(self, collection, document_id):
        return self._request("GET", f"/v1/collections/{_quote(collection)}/documents/{_quote(document_id)}")

    def patch_document(self, collection, document_id, patch):
        return self._request("PATCH", f"/v1/collections/{_quote(collection)}/documents/{_quote(document_id)}", patch)

    def delete_document(self, collection, document_id):
        return self._request("DELETE", f"/v1/collections/{_quote(collection)}/documents/{_quote(document_id)}")

    def delete_documents(self, collection, ids=None, filter=None):
        """Exactly one of ids and filter; a filter must restrict something."""
        body = {"ids": list(ids)} if ids is not None else {"filter": filter}
        return self._request("POST", f"/v1/collections/{_quote(collection)}/documents/delete", body)

    def search(self, collection, query=None, **options):
        """options: vector, k, offset, ef, lang, mode ("dense" | "bm25" | "hybrid" | "auto" | "translate" | "translate-hybrid" | "translate-dense"), filter, group_by, highlight."""
        body = {key: value for key, value in options.items() if value is not None}
        if query is not None:
            body["query"] = query
        return self._request("POST", f"/v1/collections/{_quote(collection)}/search", body)

    def _request(self, method, path, body=None):
        headers = {"Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            raw = error.read().decode("utf-8", errors="replace")
            try:
                payload = json.loads(raw).get("error", {})
            except (ValueError, AttributeError):
                payload = {}
            raise TafutaApiError(error.code, payload.get("code", "HTTP_ERROR"), payload.get("message", raw or error.reason), payload.get("details")) from None
