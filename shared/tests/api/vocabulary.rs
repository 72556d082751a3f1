//! The database's rules restate the domain's: its CHECK constraints list the enums' values and
//! its length limits are the parsers'. Adding a value or changing a limit in one place only
//! fails here.

use shared::domain::{
    ActorKind, COMMENT_RULE, Category, DESCRIPTION_MAX_CHARS, EventKind, Priority, Role, Status,
    TITLE_MAX_CHARS, Visibility,
};

use crate::helpers::fresh_database;

/// The values a CHECK constraint `column IN ('a', 'b', …)` allows, as PostgreSQL prints it.
fn allowed_values(definition: &str) -> Vec<String> {
    definition
        .split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn check_constraints_allow_exactly_the_enum_values() {
    let db = fresh_database().await;
    for (constraint, names) in [
        ("tickets_category_allowed", Category::names()),
        ("tickets_priority_allowed", Priority::names()),
        ("tickets_status_allowed", Status::names()),
        ("users_role_allowed", Role::names()),
        ("sla_policies_priority_allowed", Priority::names()),
        ("comments_visibility_allowed", Visibility::names()),
        ("ticket_events_kind_allowed", EventKind::names()),
        ("ticket_events_actor_kind_allowed", ActorKind::names()),
        ("ticket_events_visibility_allowed", Visibility::names()),
    ] {
        let definition: String = sqlx::query_scalar(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = $1",
        )
        .bind(constraint)
        .fetch_one(&db)
        .await
        .unwrap_or_else(|error| panic!("{constraint}: {error}"));
        let mut allowed = allowed_values(&definition);
        let mut expected: Vec<String> = names.into_iter().map(str::to_owned).collect();
        allowed.sort_unstable();
        expected.sort_unstable();
        assert_eq!(allowed, expected, "{constraint}: {definition}");
    }
}

#[tokio::test]
async fn length_limits_are_the_parsers() {
    let db = fresh_database().await;
    let title_max: i32 = sqlx::query_scalar(
        "SELECT character_maximum_length FROM information_schema.columns \
         WHERE table_name = 'tickets' AND column_name = 'title'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(title_max as usize, TITLE_MAX_CHARS);
    let description_check: String = sqlx::query_scalar(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint \
         WHERE conname = 'tickets_description_length'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(
        description_check.contains(&format!("<= {DESCRIPTION_MAX_CHARS}")),
        "{description_check}"
    );
    let comment_check: String = sqlx::query_scalar(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'comments_body_length'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(
        comment_check.contains(&format!("<= {}", COMMENT_RULE.max_chars)),
        "{comment_check}"
    );
}

#[tokio::test]
async fn every_priority_has_exactly_one_sla_policy() {
    let db = fresh_database().await;
    let mut priorities: Vec<String> = sqlx::query_scalar("SELECT priority FROM sla_policies")
        .fetch_all(&db)
        .await
        .unwrap();
    let mut expected: Vec<String> = Priority::names().into_iter().map(str::to_owned).collect();
    priorities.sort_unstable();
    expected.sort_unstable();
    assert_eq!(priorities, expected);
}
