package postgresstore

// ReaperLockClass exposes the reaper lock's first key to the tests.
const ReaperLockClass = reaperLockClass
