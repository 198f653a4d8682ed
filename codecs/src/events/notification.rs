//! Payloads of the `notification.*` events.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::JsonObject;
use crate::ResourceId;

/// A delivery channel of a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotificationChannel {
    /// Mobile or web push (FCM, APNs).
    Push,
    /// E-mail (SMTP).
    Email,
}

impl NotificationChannel {
    /// The channel name on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            NotificationChannel::Push => "push",
            NotificationChannel::Email => "email",
        }
    }
}

/// The platform a device token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DevicePlatform {
    /// Apple, delivered through APNs.
    Ios,
    /// Android, delivered through FCM.
    Android,
    /// Browser, delivered through FCM.
    Web,
}

impl DevicePlatform {
    /// The platform name on the wire and in the store.
    pub const fn as_str(self) -> &'static str {
        match self {
            DevicePlatform::Ios => "ios",
            DevicePlatform::Android => "android",
            DevicePlatform::Web => "web",
        }
    }
}

impl std::str::FromStr for DevicePlatform {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ios" => Ok(DevicePlatform::Ios),
            "android" => Ok(DevicePlatform::Android),
            "web" => Ok(DevicePlatform::Web),
            other => Err(format!(
                "unknown platform `{other}` (expected ios, android or web)"
            )),
        }
    }
}

/// A push token of one device.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DeviceToken {
    /// Which push service the token belongs to.
    pub platform: DevicePlatform,
    /// The provider's registration token.
    pub token: String,
}

/// `notification.requested`: send a notification (work queue).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationRequested {
    /// Idempotency key of the notification.
    pub notification_id: ResourceId,
    /// The recipient.
    pub user_id: ResourceId,
    /// Channels to deliver on.
    pub channels: Vec<NotificationChannel>,
    /// Title (push) or subject (e-mail).
    pub title: String,
    /// Body text.
    pub body: String,
    /// Extra key/values for the push payload.
    #[serde(default)]
    pub data: JsonObject,
    /// Tokens to use instead of the stored ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_tokens: Option<Vec<DeviceToken>>,
    /// Address to use for the e-mail channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// `notification.sent`: delivered on one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationSent {
    /// The notification.
    pub notification_id: ResourceId,
    /// The recipient.
    pub user_id: ResourceId,
    /// The channel it went out on.
    pub channel: NotificationChannel,
    /// `fcm`, `apns` or `smtp`.
    pub provider: String,
    /// When the provider accepted it.
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
}

/// `notification.failed`: could not be delivered on one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationFailed {
    /// The notification.
    pub notification_id: ResourceId,
    /// The recipient.
    pub user_id: ResourceId,
    /// The channel that failed.
    pub channel: NotificationChannel,
    /// Human-readable reason.
    pub reason: String,
    /// How many attempts were made.
    pub attempts: u32,
}
