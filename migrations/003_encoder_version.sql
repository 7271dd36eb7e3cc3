-- Which weights a collection's vectors came from. A model retrained under the same name (or with another dim)
-- makes stored vectors incomparable with new query vectors; the engine refuses such collections with
-- ENCODER_CHANGED instead of returning wrong neighbours. NULL for collections created before this column existed.
ALTER TABLE collections ADD COLUMN encoder_version TEXT;
