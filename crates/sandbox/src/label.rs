//! Account labels: the `{label}` of `{label}.zendesk.com` or `{label}.freshdesk.com`, a
//! DNS label in lowercase (neither vendor publishes a stricter rule).

use crate::sandbox::SandboxError;

/// Checks that `label` is a lowercase DNS label.
pub(crate) fn validate(label: &str, what: &str) -> Result<(), SandboxError> {
    let valid = !label.is_empty()
        && label.len() <= 63
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-');
    if valid {
        Ok(())
    } else {
        Err(SandboxError::InvalidConfig(format!(
            "{label:?} is not a {what} label"
        )))
    }
}

/// Checks a seeded ticket count against the sandbox's bounds.
pub(crate) fn validate_tickets(tickets: u64, min: u64, max: u64) -> Result<(), SandboxError> {
    if (min..=max).contains(&tickets) {
        Ok(())
    } else {
        Err(SandboxError::InvalidConfig(format!(
            "tickets must be between {min} and {max}"
        )))
    }
}
