//! Proves that both backends keep the [`store::Store`] contract: every behaviour test below
//! is written once (in `tests/contract/*.rs`, as `async fn(&Harness)`) and run against
//! SQLite (a file in a temp dir) and PostgreSQL (a fresh schema in the database named by
//! `ARMORICORE_TEST_DATABASE_URL`; skipped with `SKIPPED:` when unset, failing instead when
//! `ARMORICORE_REQUIRE_SERVICES=1`).
#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

#[path = "contract/calls.rs"]
mod calls;
#[path = "contract/chat.rs"]
mod chat;
#[path = "contract/devices.rs"]
mod devices;
#[path = "contract/media.rs"]
mod media;
#[path = "contract/records.rs"]
mod records;
#[path = "contract/schema.rs"]
mod schema;
#[path = "contract/sends.rs"]
mod sends;
#[path = "contract/users.rs"]
mod users;

/// Generates one `#[tokio::test]` per listed behaviour and backend: `sqlite::<name>` and
/// `postgres::<name>`.
macro_rules! contract {
    ($($module:ident :: $name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let harness = crate::support::Harness::sqlite().await;
                    crate::$module::$name(&harness).await;
                    harness.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(harness) = crate::support::Harness::postgres().await else {
                        return;
                    };
                    crate::$module::$name(&harness).await;
                    harness.finish().await;
                }
            )*
        }
    };
}

contract! {
    schema::migrations_apply_every_version_once_in_order,
    schema::concurrent_migrators_apply_each_version_exactly_once,
    schema::migrate_refuses_a_schema_from_a_newer_build,
    schema::health_round_trips_and_kind_names_the_backend,
    schema::data_survives_closing_and_reopening_the_store,
    users::upserting_a_user_keeps_created_at_and_updates_the_rest,
    users::times_round_trip_in_utc_at_microsecond_precision,
    users::revocations_are_idempotent_and_purged_strictly_after_expiry,
    devices::same_user_and_token_again_updates_only_platform_and_updated_at,
    devices::tokens_are_listed_per_user_oldest_first,
    devices::deleting_a_token_for_one_user_or_everywhere_reports_what_went,
    devices::device_tokens_are_checked_before_the_database,
    media::creating_a_media_asset_is_idempotent_on_its_id,
    media::status_updates_keep_outputs_and_replace_the_error,
    media::updating_an_unknown_asset_is_not_found,
    media::media_input_out_of_range_is_invalid,
    chat::offsets_start_at_one_per_room_and_increase_by_one,
    chat::appending_a_stored_message_id_returns_the_stored_row,
    chat::a_message_id_stored_in_another_room_is_a_conflict,
    chat::eight_concurrent_appenders_in_two_stores_get_dense_offsets,
    chat::history_pages_after_an_offset_and_latest_is_ascending,
    chat::chat_content_is_checked_before_the_database,
    calls::a_call_opens_reads_back_and_ends,
    calls::opening_a_stored_call_again_returns_the_first_row_unchanged,
    calls::a_call_with_the_same_caller_and_callee_is_invalid,
    calls::ending_a_call_twice_changes_it_once,
    calls::eight_concurrent_opens_of_one_call_get_the_same_row,
    records::audit_logs_come_back_newest_first_with_their_detail,
    records::analytics_events_are_counted_by_name,
    records::json_with_nul_characters_is_refused_by_both_backends,
    sends::the_first_send_record_wins_and_reads_back,
    sends::eight_concurrent_recorders_of_one_send_get_the_same_row,
    sends::send_records_are_checked_before_the_database,
}
