//! Who a channel of a notification goes to: the payload's device tokens or e-mail address
//! when it names them, else the user's stored tokens or address.
//!
//! An empty `device_tokens` list names nothing (the stored tokens are used). When the
//! payload names the targets, the store is not asked, so a delivery can go on while the
//! store is unreachable; when it does not, a store error is returned and the delivery is
//! retried later (`nak`), never failed for it.

use std::collections::HashSet;

use codecs::events::{DevicePlatform, NotificationChannel, NotificationRequested};
use store::Store;

use crate::error::Provider;

/// One target of one channel.
pub(super) struct Target {
    /// The device token or e-mail address.
    pub address: String,
    /// Who delivers to it.
    pub provider: Provider,
}

/// The targets of `channel`, without duplicates.
pub(super) async fn resolve(
    store: &dyn Store,
    channel: NotificationChannel,
    request: &NotificationRequested,
) -> Result<Vec<Target>, store::StoreError> {
    match channel {
        NotificationChannel::Push => {
            let tokens = match &request.device_tokens {
                Some(tokens) if !tokens.is_empty() => tokens.clone(),
                _ => store
                    .device_tokens_for(&request.user_id)
                    .await?
                    .iter()
                    .map(|r| r.device_token())
                    .collect(),
            };
            let mut seen = HashSet::new();
            Ok(tokens
                .into_iter()
                .filter(|t| seen.insert(t.token.clone()))
                .map(|t| Target {
                    provider: match t.platform {
                        DevicePlatform::Ios => Provider::Apns,
                        DevicePlatform::Android | DevicePlatform::Web => Provider::Fcm,
                    },
                    address: t.token,
                })
                .collect())
        }
        NotificationChannel::Email => {
            let address = match &request.email {
                Some(address) => Some(address.clone()),
                None => store
                    .get_user(&request.user_id)
                    .await?
                    .and_then(|u| u.email),
            };
            Ok(address
                .into_iter()
                .map(|address| Target {
                    address,
                    provider: Provider::Smtp,
                })
                .collect())
        }
    }
}
