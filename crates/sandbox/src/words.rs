//! Word lists the seeded data of every vendor is made of: tags, ticket subjects, people,
//! companies and teams.

pub(crate) const TAGS: [&str; 15] = [
    "billing",
    "refund",
    "login",
    "bug",
    "feature_request",
    "outage",
    "vip",
    "mobile_app",
    "shipping",
    "invoice",
    "password_reset",
    "api",
    "integration",
    "escalated",
    "onboarding",
];
pub(crate) const PROBLEMS: [&str; 12] = [
    "Cannot log in to",
    "Refund request for",
    "Error when exporting from",
    "Question about pricing of",
    "Slow performance in",
    "Feature request for",
    "Invoice missing for",
    "Password reset not arriving for",
    "Sync failing in",
    "Crash on startup of",
    "How do I configure",
    "Shipment delayed for",
];
pub(crate) const PRODUCTS: [&str; 10] = [
    "the mobile app",
    "the dashboard",
    "the Pro plan",
    "the reporting module",
    "the API",
    "order #4412",
    "the Android widget",
    "the billing portal",
    "the Slack integration",
    "the desktop client",
];
pub(crate) const FIRST: [&str; 16] = [
    "Maria", "James", "Aiko", "Noah", "Fatima", "Lucas", "Priya", "Oliver", "Chen", "Sofia",
    "Mateo", "Amara", "Liam", "Yuki", "Elena", "Kwame",
];
pub(crate) const LAST: [&str; 16] = [
    "Garcia", "Smith", "Tanaka", "Müller", "Khan", "Silva", "Patel", "Brown", "Wang", "Rossi",
    "López", "Okafor", "Murphy", "Sato", "Novak", "Mensah",
];
pub(crate) const COMPANY_A: [&str; 10] = [
    "Blue", "Northern", "Bright", "Silver", "Rapid", "Green", "Quantum", "Red", "Iron", "Sunny",
];
pub(crate) const COMPANY_B: [&str; 10] = [
    "Harbor", "Peak", "Field", "River", "Stone", "Cloud", "Forge", "Lake", "Pine", "Bridge",
];
pub(crate) const COMPANY_C: [&str; 5] = ["Labs", "Logistics", "Retail", "Systems", "Foods"];
pub(crate) const GROUPS: [&str; 8] = [
    "Support",
    "Billing",
    "Technical",
    "Escalations",
    "Onboarding",
    "Sales",
    "VIP",
    "Returns",
];

/// A person's name from a hash.
pub(crate) fn person(h: u64) -> String {
    format!(
        "{} {}",
        FIRST[(h % FIRST.len() as u64) as usize],
        LAST[((h >> 16) % LAST.len() as u64) as usize]
    )
}

/// The `index`-th company name: unique per index.
pub(crate) fn company(index: u64) -> String {
    let a = COMPANY_A[(index % 10) as usize];
    let b = COMPANY_B[((index / 10) % 10) as usize];
    let c = COMPANY_C[((index / 100) % 5) as usize];
    let round = index / 500;
    if round == 0 {
        format!("{a} {b} {c}")
    } else {
        format!("{a} {b} {c} {round}")
    }
}

/// The `index`-th team name: unique per index.
pub(crate) fn group(index: u64) -> String {
    let base = GROUPS[(index % GROUPS.len() as u64) as usize];
    let round = index / GROUPS.len() as u64;
    if round == 0 {
        base.to_owned()
    } else {
        format!("{base} {}", round + 1)
    }
}

/// A ticket subject from a hash: a problem and a product.
pub(crate) fn subject(h: u64) -> String {
    format!(
        "{} {}",
        PROBLEMS[(h % PROBLEMS.len() as u64) as usize],
        PRODUCTS[((h >> 12) % PRODUCTS.len() as u64) as usize]
    )
}
