//! The body of an FCM HTTP v1 `messages:send` request, written straight from a
//! [`PushMessage`] by serde (no intermediate JSON tree, no copy of title, body or data).

use serde::Serialize;

use crate::PushMessage;

/// The body of `messages:send`, serialised straight from the message (no intermediate
/// JSON tree): `{"message": {token, notification: {title, body}, data, android:
/// {notification: {tag}}}}`. The Android tag is the notification id, so a second copy of
/// one notification replaces the first in the drawer instead of stacking (the APNs
/// collapse id does the same on iOS); `collapse_key` is not used because FCM keeps only four
/// of them per device.
#[derive(Serialize)]
pub(super) struct SendBody<'a> {
    message: MessageBody<'a>,
}

#[derive(Serialize)]
struct MessageBody<'a> {
    token: &'a str,
    notification: Notification<'a>,
    data: StringValues<'a>,
    android: Android<'a>,
}

#[derive(Serialize)]
struct Notification<'a> {
    title: &'a str,
    body: &'a str,
}

#[derive(Serialize)]
struct Android<'a> {
    notification: AndroidNotification<'a>,
}

#[derive(Serialize)]
struct AndroidNotification<'a> {
    tag: &'a str,
}

impl<'a> SendBody<'a> {
    pub(super) fn new(message: &'a PushMessage, token: &'a str) -> Self {
        SendBody {
            message: MessageBody {
                token,
                notification: Notification {
                    title: &message.title,
                    body: &message.body,
                },
                data: StringValues(&message.data),
                android: Android {
                    notification: AndroidNotification {
                        tag: &message.notification_id,
                    },
                },
            },
        }
    }
}

/// FCM `data` values must be strings: strings go as they are, anything else as its JSON.
struct StringValues<'a>(&'a codecs::events::JsonObject);

impl Serialize for StringValues<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            match v {
                serde_json::Value::String(s) => map.serialize_entry(k, s)?,
                other => map.serialize_entry(k, &other.to_string())?,
            }
        }
        map.end()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;

    #[test]
    fn data_values_become_strings_and_the_tag_is_the_notification_id() {
        let data: codecs::events::JsonObject =
            serde_json::from_value(serde_json::json!({"a": "x", "n": 3, "o": {"k": true}}))
                .unwrap();
        let message = PushMessage {
            notification_id: "n-7".into(),
            title: "T".into(),
            body: "B".into(),
            data,
        };
        let body = serde_json::to_value(SendBody::new(&message, "tok")).unwrap();
        let m = &body["message"];
        assert_eq!(m["token"], "tok");
        assert_eq!(m["notification"]["title"], "T");
        assert_eq!(m["data"]["a"], "x");
        assert_eq!(m["data"]["n"], "3");
        assert_eq!(m["data"]["o"], r#"{"k":true}"#);
        assert_eq!(m["android"]["notification"]["tag"], "n-7");
    }
}
