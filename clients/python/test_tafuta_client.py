"""Tests of tafuta_client against a real server: TAFUTA_URL, TAFUTA_API_KEY and TAFUTA_COLLECTION (a collection
holding Swahili, Hausa and Amharic documents) come from test/clients/python-client.test.ts, which starts it."""

import os
import unittest
import uuid

from tafuta_client import TafutaApiError, TafutaClient

URL = os.environ["TAFUTA_URL"]
KEY = os.environ["TAFUTA_API_KEY"]
SEEDED = os.environ["TAFUTA_COLLECTION"]


class TafutaClientTest(unittest.TestCase):
    def setUp(self):
        self.client = TafutaClient(URL, api_key=KEY)

    def test_info_lists_the_seeded_collection(self):
        info = self.client.info()
        self.assertEqual(info["name"], "tafuta")
        self.assertIn(SEEDED, [c["name"] for c in info["collections"]])

    def test_searches_in_swahili_hausa_and_amharic(self):
        for query, expected in (("haki ya elimu", "sw-elimu"), ("'yancin samun ilimi", "ha-ilimi"), ("የመማር መብት", "am-timhirt")):
            with self.subTest(query=query):
                answer = self.client.search(SEEDED, query, k=3, mode="hybrid", highlight=True)
                self.assertEqual(answer["results"][0]["id"], expected)
                self.assertEqual(answer["mode"], "hybrid")
                first = answer["results"][0]
                term = first["highlights"]["terms"][0]
                self.assertTrue(first["text"][term["start"]:term["end"]])

    def test_filter_and_paging(self):
        answer = self.client.search(SEEDED, "haki", mode="dense", k=2, offset=1, filter={"lang": "sw"})
        self.assertEqual([r["rank"] for r in answer["results"]], [2])
        self.assertEqual({r["lang"] for r in answer["results"]}, {"sw"})

    def test_document_lifecycle(self):
        name = f"py-{uuid.uuid4().hex[:12]}"
        created = self.client.create_collection(name)
        self.assertEqual(created["name"], name)
        written = self.client.upsert_documents(name, [{"id": f"d/{i}", "text": f"Hati nambari {i} ya majaribio.", "lang": "sw"} for i in range(5)])
        self.assertEqual(written["upserted"], 5)
        self.assertEqual([d["id"] for d in self.client.iter_documents(name, page_size=2)], [f"d/{i}" for i in range(5)])
        patched = self.client.patch_document(name, "d/1", {"title": "Kichwa", "metadata": {"chanzo": "jaribio"}})
        self.assertEqual((patched["title"], patched["metadata"]), ("Kichwa", {"chanzo": "jaribio"}))
        self.assertEqual(self.client.get_document(name, "d/1")["title"], "Kichwa")
        self.assertEqual(self.client.delete_document(name, "d/0"), {"deleted": "d/0"})
        self.assertEqual(self.client.delete_documents(name, ids=["d/2", "d/3"]), {"deleted": 2})
        self.assertEqual(self.client.get_collection(name)["documents"], 2)
        with self.assertRaises(TafutaApiError) as refused:
            self.client.delete_collection(name)
        self.assertEqual((refused.exception.status, refused.exception.code), (409, "COLLECTION_NOT_EMPTY"))
        self.assertEqual(self.client.delete_collection(name, force=True), {"deleted": name})
        self.assertNotIn(name, [c["name"] for c in self.client.list_collections()])

    def test_errors_carry_the_api_code(self):
        with self.assertRaises(TafutaApiError) as missing:
            self.client.get_document(SEEDED, "no-such-document")
        self.assertEqual((missing.exception.status, missing.exception.code), (404, "DOCUMENT_NOT_FOUND"))
        with self.assertRaises(TafutaApiError) as unauthorized:
            TafutaClient(URL, api_key="wrong").info()
        self.assertEqual((unauthorized.exception.status, unauthorized.exception.code), (401, "UNAUTHORIZED"))


if __name__ == "__main__":
    unittest.main()
