//! The built-in rule classifier: the answer whenever the language model cannot give one.
//!
//! It scores weighted cue phrases over a lowercased, tokenised copy of the text. Matching whole
//! tokens rather than substrings is what keeps "card" out of "discard" and "down" out of
//! "download"; a trailing `*` on a cue word opts into prefix matching where inflections matter.
//! No regex engine: this runs on every classification and the `shared` crate stays lean.

use super::Labels;
use crate::domain::{Category, Priority};

/// Suggests a category and priority for a ticket's text ("title\n\ndescription" or just a
/// description).
#[must_use]
pub fn classify(text: &str) -> Labels {
    let text = Text::new(text);
    let category = categorize(&text);
    Labels {
        category: category.unwrap_or(Category::General),
        priority: prioritize(&text, category),
    }
}

/// A cue phrase and how strongly it points at its label.
type Cue = (&'static str, u32);

// Category cue weights: 3 names the topic outright ("invoice", "password"), 2 usually means it,
// 1 only tips a close call. Words shared by several topics ("app", "update", "users") stay
// light so the specific ones decide.

const BILLING: &[Cue] = &[
    ("invoice*", 3),
    ("bill", 3),
    ("billed", 3),
    ("billing", 3),
    ("charg*", 3),
    ("overcharg*", 3),
    ("refund*", 3),
    ("payment*", 3),
    ("pay", 2),
    ("paid", 2),
    ("card", 2),
    ("cards", 2),
    ("visa", 2),
    ("mastercard", 2),
    ("paypal", 2),
    ("subscription*", 3),
    ("plan", 2),
    ("plans", 2),
    ("tier", 2),
    ("pricing", 3),
    ("price*", 3),
    ("prorat*", 3),
    ("receipt*", 3),
    ("vat", 3),
    ("tax", 3),
    ("discount*", 3),
    ("coupon*", 3),
    ("promo code", 3),
    ("quote", 2),
    ("seat", 2),
    ("seats", 2),
    ("renew*", 2),
    ("upgrade*", 2),
    ("downgrad*", 3),
    ("trial", 1),
    ("cost", 2),
    ("costs", 2),
    ("fee", 2),
    ("fees", 2),
    ("money", 2),
    ("bank", 1),
    ("my bank", 2),
    ("wire", 2),
    ("bank transfer", 2),
    ("checkout", 3),
    ("purchase order", 3),
    ("po number", 3),
    ("finance", 1),
    ("accounting", 1),
    ("budget", 1),
    ("annual", 1),
    ("monthly", 1),
    ("yearly", 1),
    ("euros", 2),
    ("dollars", 2),
    ("usd", 2),
    ("eur", 2),
    ("overdue", 3),
    ("non payment", 3),
    ("chargeback*", 3),
    ("credit", 2),
    ("prepay*", 3),
    ("whats included", 2),
    ("included in", 1),
    ("cancel my subscription", 2),
];

const TECHNICAL: &[Cue] = &[
    ("error*", 3),
    ("crash*", 3),
    ("bug", 3),
    ("bugs", 3),
    ("buggy", 3),
    ("broken", 2),
    ("not loading", 3),
    ("wont load", 3),
    ("doesnt load", 3),
    ("load", 1),
    ("loading", 2),
    ("api", 3),
    ("sdk", 3),
    ("endpoint*", 3),
    ("timeout*", 3),
    ("timed out", 3),
    ("times out", 3),
    ("400", 2),
    ("403", 2),
    ("404", 2),
    ("429", 3),
    ("500", 3),
    ("502", 3),
    ("503", 3),
    ("504", 3),
    ("internal server error", 3),
    ("bad gateway", 3),
    ("slow*", 3),
    ("lag*", 2),
    ("performance", 2),
    ("integration*", 3),
    ("sync*", 3),
    ("export*", 2),
    ("import*", 2),
    ("webhook*", 3),
    ("upload*", 2),
    ("attachment*", 2),
    ("outage", 3),
    ("down", 2),
    ("server", 2),
    ("servers", 1),
    ("white screen", 3),
    ("blank page", 3),
    ("spinner", 3),
    ("browser*", 2),
    ("chrome", 2),
    ("firefox", 2),
    ("safari", 2),
    ("edge", 1),
    ("windows", 1),
    ("android", 2),
    ("ios", 2),
    ("iphone", 2),
    ("mobile", 1),
    ("desktop", 1),
    ("app", 1),
    ("version", 2),
    ("update", 1),
    ("release", 2),
    ("not working", 2),
    ("stopped working", 3),
    ("doesnt work", 2),
    ("does nothing", 3),
    ("fail*", 2),
    ("glitch*", 3),
    ("freez*", 3),
    ("hang*", 1),
    ("xss", 3),
    ("vulnerabilit*", 3),
    ("injection", 3),
    ("ssl", 3),
    ("certificate", 2),
    ("dns", 3),
    ("widget", 3),
    ("notification*", 2),
    ("spam", 2),
    ("delivered", 1),
    ("csv", 2),
    ("encoding", 3),
    ("render*", 3),
    ("layout", 2),
    ("button", 2),
    ("tooltip", 2),
    ("scroll*", 2),
    ("dashboard", 2),
    ("chart*", 2),
    ("graph*", 2),
    ("search*", 2),
    ("filter*", 1),
    ("data loss", 3),
    ("lost", 1),
    ("missing", 1),
    ("disappeared", 2),
    ("gone", 1),
    ("deleted", 1),
    ("duplicat*", 1),
    ("data leak", 3),
    ("cache", 2),
    ("cookies", 2),
    ("shortcut*", 2),
    ("pagination", 3),
    ("zapier", 3),
    ("slack", 2),
    ("shopify", 3),
    ("disconnected", 2),
    ("portal", 1),
    ("website", 1),
    ("compile", 3),
    ("unreachable", 3),
    ("nothing works", 3),
    ("platform", 1),
    ("bounc*", 3),
    ("unavailable", 3),
    ("timestamp*", 2),
    ("timezone*", 2),
    ("time zone", 2),
    ("sidebar", 2),
    ("menu", 1),
    ("picker", 2),
    ("dark mode", 2),
    ("font", 2),
    ("display*", 2),
    ("page", 1),
    ("wrong", 1),
    ("dont match", 2),
];

const ACCOUNT: &[Cue] = &[
    ("account", 2),
    ("accounts", 1),
    ("my account", 2),
    ("our account", 2),
    ("log in", 3),
    ("login*", 3),
    ("logging in", 3),
    ("logged out", 3),
    ("logs me out", 3),
    ("log me out", 3),
    ("sign in", 3),
    ("signin", 3),
    ("sign me out", 3),
    ("signed in", 2),
    ("sign up", 2),
    ("signing up", 2),
    ("signup", 2),
    ("password*", 3),
    ("2fa", 3),
    ("mfa", 3),
    ("two factor", 3),
    ("authenticator", 3),
    ("locked out", 3),
    ("locked", 2),
    ("sso", 3),
    ("saml", 3),
    ("okta", 2),
    ("azure ad", 2),
    ("scim", 3),
    ("provision*", 2),
    ("deprovision*", 3),
    ("username*", 3),
    ("change my email", 3),
    ("email address", 2),
    ("delete my account", 3),
    ("close my account", 3),
    ("close our account", 3),
    ("permission*", 3),
    ("role", 2),
    ("roles", 2),
    ("restrict*", 2),
    ("admin", 2),
    ("admins", 2),
    ("admin rights", 3),
    ("owner", 2),
    ("ownership", 3),
    ("access", 2),
    ("invite*", 3),
    ("invitation*", 3),
    ("deactivat*", 2),
    ("reactivat*", 3),
    ("unlock*", 3),
    ("workspace", 1),
    ("preferences", 2),
    ("settings", 1),
    ("profile", 3),
    ("avatar", 3),
    ("verification", 3),
    ("verify", 2),
    ("session", 2),
    ("sessions", 3),
    ("hacked", 3),
    ("compromised", 2),
    ("phish*", 3),
    ("credential*", 3),
    ("recovery", 2),
    ("personal data", 2),
    ("gdpr", 1),
    ("user", 1),
    ("users", 1),
    ("registered", 2),
    ("reset link", 3),
    ("cant get in", 3),
    ("get into my account", 3),
];

const GENERAL: &[Cue] = &[
    ("feature request*", 4),
    ("suggestion*", 3),
    ("idea", 3),
    ("ideas", 3),
    ("feedback", 3),
    ("roadmap", 4),
    ("documentation", 2),
    ("docs", 2),
    ("partnership", 4),
    ("partner*", 2),
    ("how do i", 2),
    ("how do we", 2),
    ("how does", 2),
    ("how long", 2),
    ("is there a way", 2),
    ("could you add", 2),
    ("can you add", 2),
    ("would it be possible", 2),
    ("do you offer", 2),
    ("do you have", 2),
    ("do you support", 3),
    ("does the", 1),
    ("webinar*", 4),
    ("training", 3),
    ("onboarding", 3),
    ("would be nice", 3),
    ("would be great", 3),
    ("would be cool", 3),
    ("would love", 3),
    ("nice to have", 3),
    ("wish", 2),
    ("compliance", 3),
    ("compliant", 3),
    ("soc", 3),
    ("hipaa", 3),
    ("iso", 2),
    ("dpa", 3),
    ("data processing agreement", 4),
    ("legal", 3),
    ("litigation", 3),
    ("press", 3),
    ("journalist", 3),
    ("reseller", 4),
    ("referral", 3),
    ("best practice*", 3),
    ("recommend*", 3),
    ("advice", 3),
    ("on premise", 3),
    ("self hosting", 3),
    ("status page", 3),
    ("uptime", 2),
    ("sandbox", 3),
    ("survey", 3),
    ("csat", 3),
    ("compliment*", 3),
    ("great product", 3),
    ("love the product", 3),
    ("keep it up", 3),
    ("thank you", 1),
    ("account manager", 4),
    ("translat*", 3),
    ("language*", 2),
    ("accessibility", 4),
    ("screen reader*", 3),
    ("set up", 1),
    ("setup", 1),
    ("configur*", 2),
    ("sla", 2),
    ("custom field*", 3),
    ("business hours", 3),
    ("holiday*", 2),
    ("christmas", 2),
    ("contact form", 3),
    ("nobody has answered", 4),
    ("no response", 3),
    ("escalate", 2),
    ("terms of service", 4),
    ("allowed to", 2),
    ("retention", 3),
    ("agents", 1),
    ("competitor*", 3),
    ("migrat*", 2),
    ("question", 1),
    ("curious", 2),
    ("automat*", 1),
    ("tag", 2),
    ("tags", 2),
    ("tagging", 2),
    ("canned response*", 3),
    ("saved replies", 3),
    ("macro*", 3),
    ("questionnaire", 3),
    ("vendor", 2),
    ("procurement", 3),
    ("program", 2),
    ("programme", 2),
    ("case study", 3),
    ("changelog", 3),
    ("release notes", 3),
    ("lawyer*", 3),
    ("contract", 1),
    ("media", 3),
    ("interview", 3),
    ("planned", 2),
    ("do you integrate", 3),
    ("knowledge base", 3),
    ("help center", 2),
    ("help centre", 2),
    ("articles", 2),
    ("complaint", 2),
    ("manager", 1),
];

/// Cues that on their own make a ticket critical: the service is gone, data is lost or
/// exposed, someone else controls an account, or money is taken over and over.
const CRITICAL: &[&str] = &[
    "outage",
    "production down",
    "down in production",
    "down for everyone",
    "site down",
    "site is down",
    "service down",
    "service is down",
    "is the service down",
    "data loss",
    "lost all",
    "lost our data",
    "lost customer",
    "all my * are gone",
    "all of my * are gone",
    "all our * are gone",
    "wiped",
    "permanently deleted",
    "permanently lost",
    "have a backup",
    "from your backups",
    "security breach",
    "data breach",
    "breached",
    "got hold of",
    "someone is using my",
    "someone else is using",
    "data leak",
    "hacked",
    "compromised",
    "phished",
    "stolen",
    "unauthori* access",
    "xss",
    "vulnerability",
    "injection",
    "ransomware",
    "charged # times",
    "charged # or # times",
    "# identical charges",
    "losing sales",
    "losing money",
    "losing revenue",
    "nobody can",
    "no one can",
    "none of us can",
];

/// Everyone is affected: breadth turns an ordinary failure into an emergency.
const EVERYONE: &[&str] = &[
    "everyone",
    "everybody",
    "all users",
    "all # users",
    "every user",
    "every agent",
    "every customer",
    "every single",
    "all agents",
    "all # agents",
    "all our",
    "all of our",
    "all # of our",
    "whole company",
    "whole team",
    "whole org*",
    "whole platform",
    "entire company",
    "entire team",
    "entire support team",
    "entire workspace",
    "entire org*",
    "company wide",
    "nobody",
    "no one",
    "none of us",
    "none of our",
    "none of my",
    "any device",
    "every page",
    "any ticket",
];

/// Some, but not all, are affected.
const MANY: &[&str] = &[
    "several",
    "many users",
    "multiple users",
    "a dozen",
    "dozens",
    "hundreds",
    "some customers",
    "some users",
    "some of our",
    "our customers",
    "our agents",
    "our team",
];

/// Something has stopped working.
const FAILURE: &[&str] = &[
    "down",
    "unreachable",
    "unavailable",
    "error*",
    "fail*",
    "not working",
    "nothing works",
    "stopped",
    "broken",
    "bounc*",
    "expired",
    "not arriving",
    "not receiving",
    "not getting",
    "arent getting",
    "isnt working",
    "cant reach",
    "cant submit",
    "cant use",
    "gone",
    "disappeared",
    "vanished",
    "500",
    "502",
    "503",
    "504",
];

/// Someone is stopped from working, or money is wrongly taken: high on its own, critical when
/// it hits everyone.
const BLOCKED: &[&str] = &[
    "cant log in",
    "cannot log in",
    "unable to log in",
    "cant login",
    "cant sign in",
    "cannot sign in",
    "unable to sign in",
    "cant get in",
    "cant get into",
    "cant access",
    "cannot access",
    "unable to access",
    "cant do my *",
    "cant do our *",
    "kicked out",
    "cant afford",
    "cant pay",
    "someone has my",
    "someone else",
    "worried",
    "cant work",
    "can barely work",
    "cant take",
    "locked",
    "locked out",
    "stuck outside",
    "lost access",
    "regain access",
    "no access",
    "account not found",
    "permission denied",
    "lost my phone",
    "suspicious",
    "blocking",
    "blocker",
    "blocked",
    "suspended",
    "suspension",
    "charged twice",
    "double charged",
    "double billing",
    "charged both",
    "charged after",
    "charged me",
    "# times this month",
    "declin*",
    "payment failing",
    "payment failed",
    "keeps failing",
    "money was taken",
    "stop taking money",
    "dont recognise",
    "dont recognize",
    "never signed up",
    "losing customers",
    "piling up",
    "slowing",
];

/// Time pressure in the customer's own words.
const URGENCY: &[&str] = &[
    "urgent*",
    "asap",
    "immediate help",
    "immediate attention",
    "fix this immediately",
    "right away",
    "right now",
    "deadline",
    "today",
    "tomorrow",
    "end of day",
    "in an hour",
    "tonight",
    "still waiting",
    "followed up",
    "complained",
    "in # minutes",
    "time sensitive",
    "unacceptable",
    "escalate",
    "high priority",
    "rude",
    "speak * a manager",
    "talk to a manager",
    "customers waiting",
    "customers are waiting",
];

/// Cues that make a ticket low priority: nothing is broken, or the customer says it can wait.
const LOW: &[Cue] = &[
    ("question", 2),
    ("feature request*", 3),
    ("suggestion", 3),
    ("idea", 3),
    ("would be nice", 3),
    ("would be great", 3),
    ("would be cool", 3),
    ("would love", 3),
    ("nice to have", 3),
    ("small wish", 3),
    ("when you get a chance", 3),
    ("at some point", 3),
    ("no rush", 3),
    ("no hurry", 3),
    ("not urgent", 3),
    ("not a big deal", 3),
    ("not important", 3),
    ("not critical", 3),
    ("low priority", 3),
    ("small thing", 3),
    ("minor", 3),
    ("cosmetic", 3),
    ("typo", 3),
    ("misspelled", 3),
    ("feedback", 3),
    ("fyi", 3),
    ("just wanted", 3),
    ("just checking", 1),
    ("curious", 2),
    ("how do i", 2),
    ("how do we", 2),
    ("how can i", 1),
    ("how does", 2),
    ("how long", 2),
    ("is there a", 2),
    ("is there an", 2),
    ("is it possible", 2),
    ("is that possible", 2),
    ("do you offer", 2),
    ("do you have", 2),
    ("do you support", 2),
    ("does the", 1),
    ("can i", 1),
    ("could you add", 2),
    ("where can i", 2),
    ("where do i find", 2),
    ("thought you * know", 3),
    ("thought youd * to know", 3),
    ("where are", 2),
    ("what are", 2),
    ("when does", 2),
    ("roadmap", 3),
    ("looks off", 3),
    ("annoying", 1),
    ("love", 2),
    ("thanks", 1),
];

/// Cues that a customer needs something done, which keeps a question at medium.
const ACTION: &[Cue] = &[
    ("please", 1),
    ("wrong", 2),
    ("incorrect*", 2),
    ("error*", 2),
    ("fail*", 2),
    ("broken", 1),
    ("not working", 2),
    ("doesnt work", 2),
    ("refund*", 2),
    ("never received", 2),
    ("nothing", 1),
    ("need", 1),
    ("needs", 1),
    ("next week", 1),
    ("this week", 1),
];

/// How far a general enquiry leans towards low priority, in cue-weight units.
const GENERAL_ENQUIRY_LEAN: u32 = 2;

/// Words that cancel a cue when they come shortly before it in the same clause.
const NEGATORS: &[&str] = &[
    "not", "no", "never", "nothing", "isnt", "arent", "wasnt", "werent", "dont", "doesnt",
    "without",
];

/// Spelled-out counts, so "three times" reads like "3 times".
const NUMBER_WORDS: &[&str] = &[
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "several", "multiple",
    "many", "dozen", "dozens", "hundreds",
];

/// How many tokens before a cue a negator may stand to cancel it.
const NEGATION_REACH: usize = 3;

struct Token {
    word: String,
    /// Clause number, so a negation never reaches across a sentence or comma.
    clause: u32,
}

/// The ticket as lowercase word tokens, apostrophes dropped and punctuation gone.
struct Text {
    tokens: Vec<Token>,
    /// Token positions ordered by word, so a cue finds where it could start by binary search
    /// instead of walking a long description once per cue.
    by_word: Vec<usize>,
    /// Tokens before this index are the title, which says in a few words what the ticket is
    /// about and so counts double for the category.
    title_end: usize,
}

impl Text {
    fn new(raw: &str) -> Self {
        // Only a single line followed by a blank line is taken for a title, so a description
        // passed on its own is read evenly.
        let (title, body) = match raw.split_once("\n\n") {
            Some((head, rest)) if !head.contains('\n') => (head, rest),
            _ => ("", raw),
        };
        let mut text = Self {
            tokens: Vec::new(),
            by_word: Vec::new(),
            title_end: 0,
        };
        let mut clause = 0;
        text.push_tokens(title, &mut clause);
        text.title_end = text.tokens.len();
        clause += 1;
        text.push_tokens(body, &mut clause);
        text.by_word = (0..text.tokens.len()).collect();
        text.by_word
            .sort_unstable_by(|&a, &b| text.tokens[a].word.cmp(&text.tokens[b].word));
        text
    }

    fn push_tokens(&mut self, raw: &str, clause: &mut u32) {
        let mut word = String::new();
        for ch in raw.chars() {
            if ch.is_alphanumeric() {
                word.extend(ch.to_lowercase());
                continue;
            }
            // Dropping apostrophes makes "can't", "can’t" and "cant" one token.
            if matches!(ch, '\'' | '’') && !word.is_empty() {
                continue;
            }
            if !word.is_empty() {
                self.tokens.push(Token {
                    word: std::mem::take(&mut word),
                    clause: *clause,
                });
            }
            if matches!(ch, '.' | ',' | ';' | ':' | '!' | '?' | '\n' | '(' | ')') {
                *clause += 1;
            }
        }
        if !word.is_empty() {
            self.tokens.push(Token {
                word,
                clause: *clause,
            });
        }
    }

    /// Start positions, in no particular order, where `phrase` matches; see [`word_matches`]
    /// for the pattern syntax.
    fn matches<'a>(&'a self, phrase: &'a str) -> impl Iterator<Item = usize> + 'a {
        let first = phrase.split_whitespace().next().unwrap_or_default();
        self.starting_with(first)
            .iter()
            .copied()
            .filter(move |&start| {
                let mut patterns = phrase.split_whitespace();
                let mut words = self.tokens[start..].iter().map(|token| token.word.as_str());
                patterns.all(|pattern| words.next().is_some_and(|word| word_matches(pattern, word)))
            })
    }

    /// Positions of the tokens `pattern` matches, as a slice of `by_word`.
    fn starting_with(&self, pattern: &str) -> &[usize] {
        let word_at = |position: &usize| self.tokens[*position].word.as_str();
        let (prefix, exact) = match pattern {
            "*" | "#" | "" => return &self.by_word,
            _ => match pattern.strip_suffix('*') {
                Some(prefix) => (prefix, false),
                None => (pattern, true),
            },
        };
        let from = self
            .by_word
            .partition_point(|position| word_at(position) < prefix);
        let rest = &self.by_word[from..];
        let len = if exact {
            rest.partition_point(|position| word_at(position) == prefix)
        } else {
            rest.partition_point(|position| word_at(position).starts_with(prefix))
        };
        &rest[..len]
    }

    fn is_negated(&self, start: usize) -> bool {
        let Some(token) = self.tokens.get(start) else {
            return false;
        };
        self.tokens[start.saturating_sub(NEGATION_REACH)..start]
            .iter()
            .any(|before| before.clause == token.clause && NEGATORS.contains(&before.word.as_str()))
    }

    fn is_affirmed(&self, phrase: &str) -> bool {
        self.matches(phrase).any(|start| !self.is_negated(start))
    }

    /// Sums the weights of the cues present, each counted once however often it occurs, and
    /// once more if it occurs in the title.
    fn score(&self, cues: &[Cue]) -> u32 {
        cues.iter()
            .map(|&(phrase, weight)| {
                let mut starts = self.matches(phrase).peekable();
                if starts.peek().is_none() {
                    0
                } else if starts.any(|start| start < self.title_end) {
                    weight * 2
                } else {
                    weight
                }
            })
            .sum()
    }

    /// Sums the weights of the cues present with no negator just before them.
    fn affirmed_score(&self, cues: &[Cue]) -> u32 {
        cues.iter()
            .filter(|(phrase, _)| self.is_affirmed(phrase))
            .map(|(_, weight)| weight)
            .sum()
    }

    /// Whether any phrase is present with no negator just before it.
    fn has_any(&self, phrases: &[&str]) -> bool {
        phrases.iter().any(|phrase| self.is_affirmed(phrase))
    }
}

/// One pattern word against one token: `*` alone matches any word, `#` any number, a trailing
/// `*` a prefix, anything else the whole word.
fn word_matches(pattern: &str, word: &str) -> bool {
    match pattern {
        "*" => true,
        "#" => word.chars().all(|ch| ch.is_ascii_digit()) || NUMBER_WORDS.contains(&word),
        _ => match pattern.strip_suffix('*') {
            Some(prefix) => word.starts_with(prefix),
            None => pattern == word,
        },
    }
}

/// The best-scoring category, or `None` when no category cue is present at all.
fn categorize(text: &Text) -> Option<Category> {
    let scores = [
        (Category::Billing, text.score(BILLING)),
        (Category::Technical, text.score(TECHNICAL)),
        (Category::Account, text.score(ACCOUNT)),
        (Category::General, text.score(GENERAL)),
    ];
    // Strictly greater, so ties go to the earlier category in product order.
    let (best, best_score) = scores
        .into_iter()
        .fold((Category::General, 0), |best, candidate| {
            if candidate.1 > best.1 {
                candidate
            } else {
                best
            }
        });
    (best_score > 0).then_some(best)
}

fn prioritize(text: &Text, category: Option<Category>) -> Priority {
    let widespread = text.has_any(EVERYONE);
    let broken = text.has_any(FAILURE);
    let blocked = text.has_any(BLOCKED);

    if text.has_any(CRITICAL) || (widespread && (broken || blocked)) {
        return Priority::Critical;
    }
    if blocked || text.has_any(URGENCY) || (text.has_any(MANY) && broken) {
        return Priority::High;
    }
    // A general enquiry is a conversation rather than a fault, so it leans low unless the
    // customer says something needs doing. Text with no cues at all stays at the default.
    let enquiry_lean = if category == Some(Category::General) {
        GENERAL_ENQUIRY_LEAN
    } else {
        0
    };
    if text.affirmed_score(LOW) + enquiry_lean > text.affirmed_score(ACTION) {
        return Priority::Low;
    }
    Priority::Medium
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(category: Category, priority: Priority) -> Labels {
        Labels { category, priority }
    }

    #[test]
    fn typical_tickets_get_sensible_labels() {
        let cases = [
            (
                "Charged twice\n\nMy card was charged twice for the March invoice.",
                labels(Category::Billing, Priority::High),
            ),
            (
                "Site down\n\nThe app is down for everyone in our company, every page returns 502.",
                labels(Category::Technical, Priority::Critical),
            ),
            (
                "Locked out\n\nI lost my phone with the authenticator and can't log in.",
                labels(Category::Account, Priority::High),
            ),
            (
                "Feature request\n\nWould be nice to pin tickets to the top of the queue.",
                labels(Category::General, Priority::Low),
            ),
            (
                "The CSV export fails with an error for large date ranges.",
                labels(Category::Technical, Priority::Medium),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(classify(text), expected, "{text:?}");
        }
    }

    #[test]
    fn cues_match_whole_words_only() {
        // "discard" holds "card" and "download" holds "down"; neither may count.
        let text = "How do I discard a draft before I download the transcript?";
        assert_eq!(classify(text), labels(Category::General, Priority::Low));
        let download = classify("Everyone on the team needs a download button");
        assert_ne!(download.priority, Priority::Critical);
        assert_eq!(
            classify("The site is down for everyone").priority,
            Priority::Critical
        );
    }

    #[test]
    fn a_negated_urgency_cue_does_not_raise_priority() {
        let urgent = "The tooltip on the export page is cut off. Urgent.";
        let not_urgent = "The tooltip on the export page is cut off. Not urgent.";
        assert_eq!(classify(urgent).priority, Priority::High);
        assert_eq!(classify(not_urgent).priority, Priority::Low);
        // A negation in an earlier sentence does not reach the cue.
        assert_eq!(
            classify("Nothing works. Urgent, please").priority,
            Priority::High
        );
    }

    #[test]
    fn case_accents_and_curly_apostrophes_are_normalised() {
        let text = Text::new("Müller’s PASSWORD can't");
        let words: Vec<&str> = text
            .tokens
            .iter()
            .map(|token| token.word.as_str())
            .collect();
        assert_eq!(words, ["müllers", "password", "cant"]);
        assert_eq!(
            classify("ÉQUIPE: I CAN’T LOG IN SINCE THIS MORNING"),
            labels(Category::Account, Priority::High)
        );
    }

    #[test]
    fn an_empty_or_unrelated_text_falls_back_to_general_medium() {
        assert_eq!(classify(""), labels(Category::General, Priority::Medium));
        assert_eq!(
            classify("Hello there"),
            labels(Category::General, Priority::Medium)
        );
    }

    #[test]
    fn every_cue_can_match_a_token() {
        let weighted = [BILLING, TECHNICAL, ACCOUNT, GENERAL, LOW, ACTION];
        let plain = [CRITICAL, EVERYONE, MANY, FAILURE, BLOCKED, URGENCY];
        let phrases = weighted
            .iter()
            .flat_map(|cues| cues.iter().map(|(phrase, _)| *phrase))
            .chain(plain.iter().flat_map(|phrases| phrases.iter().copied()));
        for phrase in phrases {
            assert!(!phrase.trim().is_empty(), "empty cue");
            for word in phrase.split_whitespace() {
                let stem = word.strip_suffix('*').unwrap_or(word);
                let tokenisable = stem
                    .chars()
                    .all(|ch| ch.is_lowercase() || ch.is_ascii_digit());
                assert!(tokenisable || word == "#", "cue {phrase:?} can never match");
            }
        }
    }
}
