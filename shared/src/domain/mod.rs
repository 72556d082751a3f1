//! Domain types: the vocabularies, tickets, people, the conversation, history and SLA, and
//! validated request values.

mod comment;
mod enums;
mod event;
mod mail;
mod request;
mod sla;
mod stats;
mod ticket;
mod user;

pub use comment::{
    COMMENT_RULE, Comment, CommentVia, NEW_COMMENT, NewComment, NewCommentRequest,
    status_after_comment,
};
pub use enums::{
    ActorKind, Category, ClassifiedBy, Confidence, EventKind, Priority, Role, Sentiment, SlaState,
    SlaTarget, Status, UnknownValue, Visibility, Vocabulary,
};
pub use event::{Actor, NewEvent, TicketEvent, changes_between};
pub use mail::{
    InboundMail, InboundReason, InboundStatus, MailSettings, MailSettingsRequest, MailSettingsView,
    MailTemplate, MailTransportKind, OutboxEntry, OutboxStatus, REPLY_TOKEN_CHARS, SupportAddress,
    check_sender_name, is_reply_token,
};
pub use request::{
    Body, BodyReader, FieldErrors, IdMember, JsonObject, LabelMember, Member, Null, TextMember,
    TextRule, too_long,
};
pub use sla::{MAX_TARGET_MINUTES, SlaPolicy, SlaTargets};
pub use stats::{AssigneeLoad, Breakdown, QueueCounts, TicketStats};
pub use ticket::{
    CLASSIFY, CREATE_TICKET, ClassifyRequest, CreateTicketRequest, DESCRIPTION_MAX_CHARS,
    DESCRIPTION_RULE, Description, NewTicket, TITLE_MAX_CHARS, TITLE_RULE, Ticket, TicketChanges,
    Title, UPDATE_TICKET, UpdateTicketRequest, parse_classify_request,
};
pub use user::{
    AccountChanges, CHANGE_USER, Email, NAME_RULE, NEW_USER, NewAccount, NewUserRequest, Password,
    SIGN_IN, SIGN_UP, SignIn, SignInRequest, SignUpRequest, TicketScope, User, UserChangesRequest,
};
