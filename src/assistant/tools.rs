//! The seam between an assistant and EventOS: the tools it may call, with their arguments.
//! The built-in assistant and a configured model both produce these calls, and one piece of
//! code (`apply`) carries them out through the same domain functions and guards the
//! dashboard uses. No tool confirms anything: a public or irreversible change only becomes
//! a pending action that the organizer confirms in the product.

use crate::events::money::MAX_PRICE;
use crate::venues::MAX_CAPACITY;
use serde::{Deserialize, Serialize};

/// One tool call, as `{"name": "add_tier", "arguments": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "name", content = "arguments", rename_all = "snake_case")]
pub enum ToolCall {
    /// Starts a new draft event from these fields (forgetting any draft not yet saved).
    CreateEventDraft(EventFields),
    /// Changes fields of the conversation's event (or of the draft still being gathered).
    UpdateEvent(EventFields),
    /// Uses one of the organization's venues ("MTCC" finds the Metro Toronto Convention
    /// Centre), or creates it when an address is given.
    FindOrCreateVenue(VenueArgs),
    AddTier(TierArgs),
    UpdateTier(TierChange),
    DeactivateTier(TierRef),
    GeneratePlanningTasks(Empty),
    DraftDescription(Empty),
    SummariseSales(Empty),
    ListEvents(Empty),
    ProposePublish(Empty),
    ProposeCancel(CancelArgs),
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventFields {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub event_type: Option<String>,
    /// `YYYY-MM-DDTHH:MM` in the event's time zone.
    #[serde(default)]
    pub start_local: Option<String>,
    #[serde(default)]
    pub end_local: Option<String>,
    /// Parts of the times, when the organizer has given only some: `YYYY-MM-DD`, `HH:MM`.
    /// A new first day keeps the event's length in days and its hours.
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub end_date: Option<String>,
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub end_time: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub capacity: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VenueArgs {
    pub name: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierArgs {
    pub name: String,
    pub price_cents: i64,
    #[serde(default)]
    pub capacity: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierChange {
    /// The tier's current name.
    pub tier: String,
    #[serde(default)]
    pub new_name: Option<String>,
    #[serde(default)]
    pub price_cents: Option<i64>,
    #[serde(default)]
    pub capacity: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierRef {
    pub tier: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelArgs {
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

impl ToolCall {
    /// Reads a model's call: the tool's name and its arguments as JSON text. An unknown tool,
    /// JSON that does not parse, an unknown argument or one out of range is refused with a
    /// sentence the organizer can read.
    pub fn from_model(name: &str, arguments: &str) -> Result<ToolCall, String> {
        let arguments: serde_json::Value = if arguments.trim().is_empty() {
            serde_json::json!({})
        } else {
            serde_json::from_str(arguments)
                .map_err(|_| format!("The assistant sent arguments for “{}” that are not valid JSON.", short(name)))?
        };
        if !TOOL_NAMES.contains(&name) {
            return Err(format!("The assistant asked for a tool that does not exist (“{}”).", short(name)));
        }
        let call: ToolCall = serde_json::from_value(serde_json::json!({ "name": name, "arguments": arguments }))
            .map_err(|e| format!("The assistant's arguments for “{name}” were refused: {e}."))?;
        call.check()?;
        Ok(call)
    }

    /// The name the tool is known by.
    pub fn name(&self) -> &'static str {
        match self {
            ToolCall::CreateEventDraft(_) => "create_event_draft",
            ToolCall::UpdateEvent(_) => "update_event",
            ToolCall::FindOrCreateVenue(_) => "find_or_create_venue",
            ToolCall::AddTier(_) => "add_tier",
            ToolCall::UpdateTier(_) => "update_tier",
            ToolCall::DeactivateTier(_) => "deactivate_tier",
            ToolCall::GeneratePlanningTasks(_) => "generate_planning_tasks",
            ToolCall::DraftDescription(_) => "draft_description",
            ToolCall::SummariseSales(_) => "summarise_sales",
            ToolCall::ListEvents(_) => "list_events",
            ToolCall::ProposePublish(_) => "propose_publish",
            ToolCall::ProposeCancel(_) => "propose_cancel",
        }
    }

    /// Ranges every assistant's arguments must keep to (the domain checks the rest).
    pub fn check(&self) -> Result<(), String> {
        let capacity = |c: Option<i64>| match c {
            Some(c) if !(1..=i64::from(MAX_CAPACITY)).contains(&c) => {
                Err(format!("A capacity must be between 1 and {MAX_CAPACITY}; the assistant asked for {c}."))
            }
            _ => Ok(()),
        };
        let price = |p: Option<i64>| match p {
            Some(p) if !(0..=MAX_PRICE).contains(&p) => {
                Err(format!("A price must be between 0 and {}; the assistant asked for {p} cents.", MAX_PRICE))
            }
            _ => Ok(()),
        };
        let text = |label: &str, t: &str, max: usize| {
            if t.trim().is_empty() || t.chars().count() > max {
                Err(format!("The {label} must have between 1 and {max} characters."))
            } else {
                Ok(())
            }
        };
        match self {
            ToolCall::CreateEventDraft(f) | ToolCall::UpdateEvent(f) => {
                capacity(f.capacity)?;
                if let Some(name) = &f.name {
                    text("event's name", name, 160)?;
                }
                Ok(())
            }
            ToolCall::FindOrCreateVenue(v) => text("venue's name", &v.name, 160),
            ToolCall::AddTier(t) => {
                text("tier's name", &t.name, 160)?;
                price(Some(t.price_cents))?;
                capacity(t.capacity)
            }
            ToolCall::UpdateTier(t) => {
                text("tier's name", &t.tier, 160)?;
                if let Some(name) = &t.new_name {
                    text("tier's new name", name, 160)?;
                }
                price(t.price_cents)?;
                capacity(t.capacity)
            }
            ToolCall::DeactivateTier(t) => text("tier's name", &t.tier, 160),
            ToolCall::ProposeCancel(c) => match &c.reason {
                Some(reason) if reason.chars().count() > 500 => Err("Keep the reason under 500 characters.".into()),
                _ => Ok(()),
            },
            _ => Ok(()),
        }
    }
}

pub const TOOL_NAMES: &[&str] = &[
    "create_event_draft",
    "update_event",
    "find_or_create_venue",
    "add_tier",
    "update_tier",
    "deactivate_tier",
    "generate_planning_tasks",
    "draft_description",
    "summarise_sales",
    "list_events",
    "propose_publish",
    "propose_cancel",
];

/// A name quoted back to the organizer, cut short.
fn short(name: &str) -> String {
    name.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_models_call_is_read_into_the_same_calls_the_builtin_assistant_makes() {
        let call = ToolCall::from_model("add_tier", r#"{"name": "VIP", "price_cents": 59900}"#).unwrap();
        assert_eq!(call, ToolCall::AddTier(TierArgs { name: "VIP".into(), price_cents: 59900, capacity: None }));
        assert_eq!(ToolCall::from_model("list_events", "").unwrap(), ToolCall::ListEvents(Empty {}));
    }

    #[test]
    fn unknown_tools_malformed_json_and_out_of_range_arguments_are_refused_in_words() {
        assert!(ToolCall::from_model("drop_table", "{}").unwrap_err().contains("does not exist"));
        assert!(ToolCall::from_model("add_tier", "{name: VIP").unwrap_err().contains("not valid JSON"));
        assert!(
            ToolCall::from_model("add_tier", r#"{"name": "VIP", "price_cents": -5}"#).unwrap_err().contains("price")
        );
        assert!(ToolCall::from_model("update_event", r#"{"capacity": 0}"#).unwrap_err().contains("capacity"));
    }

    #[test]
    fn no_argument_can_confirm_a_pending_action() {
        let refused = ToolCall::from_model("propose_publish", r#"{"confirmed": true}"#).unwrap_err();
        assert!(refused.contains("unknown field"), "{refused}");
        assert!(ToolCall::from_model("confirm_action", r#"{"id": "x"}"#).is_err());
    }
}
