//! JSON, pretty-printed and lightly coloured, as AWS shapes it.

use serde_json::Value;
use yew::virtual_dom::VText;
use yew::{component, html, AttrValue, Html, Properties};

/// The JSON view's properties.
#[derive(Properties, PartialEq)]
pub struct JsonViewProps {
    /// The value.
    pub value: Value,
    /// What it is, for assistive technology.
    pub label: AttrValue,
}

/// A JSON value in a scrollable block.
#[component]
pub fn JsonView(props: &JsonViewProps) -> Html {
    let mut out = Vec::new();
    render(&props.value, 0, &mut out);
    html! {
        <pre class="json" tabindex="0" aria-label={props.label.clone()}><code>{ for out }</code></pre>
    }
}

fn text(s: impl Into<AttrValue>) -> Html {
    Html::from(VText::new(s))
}

fn indent(level: usize) -> Html {
    text("  ".repeat(level))
}

fn render(value: &Value, level: usize, out: &mut Vec<Html>) {
    match value {
        Value::Null => out.push(html! { <span class="j-lit">{ "null" }</span> }),
        Value::Bool(b) => out.push(html! { <span class="j-lit">{ b.to_string() }</span> }),
        Value::Number(n) => out.push(html! { <span class="j-num">{ n.to_string() }</span> }),
        Value::String(s) => out.push(html! { <span class="j-str">{ quoted(s) }</span> }),
        Value::Array(items) if items.is_empty() => out.push(text("[]")),
        Value::Object(map) if map.is_empty() => out.push(text("{}")),
        Value::Array(items) => {
            out.push(text("[\n"));
            for (i, item) in items.iter().enumerate() {
                out.push(indent(level + 1));
                render(item, level + 1, out);
                out.push(text(if i + 1 < items.len() { ",\n" } else { "\n" }));
            }
            out.push(indent(level));
            out.push(text("]"));
        }
        Value::Object(map) => {
            out.push(text("{\n"));
            let len = map.len();
            for (i, (key, item)) in map.iter().enumerate() {
                out.push(indent(level + 1));
                out.push(html! { <span class="j-key">{ quoted(key) }</span> });
                out.push(text(": "));
                render(item, level + 1, out);
                out.push(text(if i + 1 < len { ",\n" } else { "\n" }));
            }
            out.push(indent(level));
            out.push(text("}"));
        }
    }
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}
