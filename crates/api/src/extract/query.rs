use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::ApiError;

/// Query parameters that parsed into `T`; a bad one is a 400 `invalid_query` naming it.
#[derive(Debug, Clone, Copy, Default)]
pub struct ValidQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ValidQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse(parts.uri.query().unwrap_or("")).map(ValidQuery)
    }
}

pub(crate) fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        // An unknown parameter has no path of its own; its name is in the message.
        let field = if path == "." {
            unknown_field(&message).unwrap_or("query").to_owned()
        } else {
            path
        };
        ApiError::invalid_query(&field, message)
    })
}

fn unknown_field(message: &str) -> Option<&str> {
    message.strip_prefix("unknown field `")?.split('`').next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Q {
        limit: Option<u32>,
        cursor: Option<String>,
    }

    #[test]
    fn a_non_number_limit_is_named() {
        let p = parse::<Q>("limit=abc").unwrap_err().body();
        assert_eq!(p.status, 400);
        assert_eq!(p.errors[0].field, "limit");
    }

    #[test]
    fn an_unknown_parameter_is_named() {
        let p = parse::<Q>("limt=5").unwrap_err().body();
        assert_eq!(p.code, "invalid_query");
        assert_eq!(p.errors[0].field, "limt");
    }

    #[test]
    fn good_parameters_parse() {
        let q = parse::<Q>("limit=5&cursor=abc").unwrap();
        assert_eq!(q.limit, Some(5));
    }
}
