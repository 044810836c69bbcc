//! Correlation headers.
//!
//! `x-ms-correlation-request-id` groups the requests of one logical operation (one per
//! [`Ctx`](super::cancel::Ctx)); `x-ms-client-request-id` is new for every HTTP request
//! (retries included) and asked back with `x-ms-return-client-request-id: true`, so a
//! request can be found in Azure's logs from either side.

pub const CORRELATION_REQUEST_ID: &str = "x-ms-correlation-request-id";
pub const CLIENT_REQUEST_ID: &str = "x-ms-client-request-id";
pub const RETURN_CLIENT_REQUEST_ID: &str = "x-ms-return-client-request-id";
pub const REQUEST_ID: &str = "x-ms-request-id";

/// A random (version 4) GUID in its usual lower-case form.
pub fn new_guid() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

/// The headers for one HTTP request of an operation: (correlation, fresh client id).
pub fn request_headers(correlation_id: &str) -> [(&'static str, String); 3] {
    [
        (CORRELATION_REQUEST_ID, correlation_id.to_string()),
        (CLIENT_REQUEST_ID, new_guid()),
        (RETURN_CLIENT_REQUEST_ID, "true".to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_shape_is_v4() {
        let g = new_guid();
        assert_eq!(g.len(), 36);
        let parts: Vec<&str> = g.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
        assert!(matches!(&parts[3][..1], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn client_request_id_changes_per_request_correlation_does_not() {
        let a = request_headers("corr");
        let b = request_headers("corr");
        assert_eq!(a[0].1, "corr");
        assert_eq!(b[0].1, "corr");
        assert_ne!(a[1].1, b[1].1);
    }
}
