-- A collection's hnsw.ef is optional from now on: a collection that sets none searches with the ef its size calls
-- for (indexer/config.ts, defaultEfFor: 64 for small collections, more for large ones, so that recall@10 holds as
-- the graph grows). Until now every collection stored ef 64, the old default, whether asked for or not; both read
-- as "not set", so existing collections get the new default. A collection created with another ef keeps it.
UPDATE collections SET config = json_remove(config, '$.hnsw.ef') WHERE json_extract(config, '$.hnsw.ef') = 64;
