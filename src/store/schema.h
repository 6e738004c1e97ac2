// The SQLite schema and its migrations. PRAGMA user_version records how many
// migrations a database has had; opening one applies the rest in one transaction.
#pragma once

#include <sqlite3.h>

#include "core/status.h"

namespace vigil {

// Number of migrations this build knows; a database newer than this is refused.
int LatestSchemaVersion();

// Brings `db` up to LatestSchemaVersion().
Status MigrateSchema(sqlite3* db);

}  // namespace vigil
