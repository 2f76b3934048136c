//! The normalized schema. Every object carries the vendor's id as a string and, only when a
//! caller asks for it, `remote_data`: the vendor's raw JSON.

mod account;
mod attachment;
mod comment;
mod contact;
mod team;
mod ticket;
mod user;

pub use account::Account;
pub use attachment::Attachment;
pub use comment::{AuthorKind, Comment, NewAttachment, NewComment};
pub use contact::Contact;
pub use team::{Tag, TagChange, Team};
pub use ticket::{
    Channel, CustomField, NewTicket, Priority, Ticket, TicketPatch, TicketStatus, TicketType,
};
pub use user::User;
