//! Offline inspection of the files Apple hands out: `.vpptoken`, the push certificate `.pem`,
//! the enrollment program token `.p7m`.
