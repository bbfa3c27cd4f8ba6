//! The session cookie (stub: being written).
