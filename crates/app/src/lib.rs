//! deskgate-app
