//! The app permissions a token carries. Intercom sets them on the app in the Developer Hub,
//! not in the authorize request; a request needing one the token lacks answers 403. Every
//! seeded token has all of them until the control API revokes some.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Scope {
    ReadAdmins,
    ReadUsersCompanies,
    ReadTags,
    WriteTags,
    ReadTickets,
    WriteTickets,
    ReadConversations,
    WriteConversations,
}

impl Scope {
    pub(crate) const ALL: [Self; 8] = [
        Self::ReadAdmins,
        Self::ReadUsersCompanies,
        Self::ReadTags,
        Self::WriteTags,
        Self::ReadTickets,
        Self::WriteTickets,
        Self::ReadConversations,
        Self::WriteConversations,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::ReadAdmins => "read_admins",
            Self::ReadUsersCompanies => "read_users_companies",
            Self::ReadTags => "read_tags",
            Self::WriteTags => "write_tags",
            Self::ReadTickets => "read_tickets",
            Self::WriteTickets => "write_tickets",
            Self::ReadConversations => "read_conversations",
            Self::WriteConversations => "write_conversations",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}
