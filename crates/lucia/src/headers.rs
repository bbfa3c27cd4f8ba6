//! Reading tokens from request headers (stub: being written).
