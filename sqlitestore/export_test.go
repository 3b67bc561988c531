package sqlitestore

// OwnerRowsQuery is the owner listing's SQL for table, for EXPLAIN.
func OwnerRowsQuery(table string) string { return buildQueries(table).ownerRows }
