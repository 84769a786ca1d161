//! The typed async Microsoft Graph client.
