//! A button that opens a popover (a menu, a panel): open and closed state, Escape closes
//! it and gives focus back to the button, and a transparent backdrop under it closes it
//! on a click anywhere else.

use yew::{
    hook, html, use_node_ref, use_state_eq, Callback, Html, KeyboardEvent, MouseEvent, NodeRef,
};

/// What a popover's button and panel need.
#[derive(Clone)]
pub struct Popover {
    /// Whether it is open.
    pub open: bool,
    /// The button that opens it (focus returns there on Escape).
    pub button: NodeRef,
    /// Opens or closes it.
    pub toggle: Callback<MouseEvent>,
    /// Sets it open or closed.
    pub set: Callback<bool>,
    /// For the element around button and panel: Escape closes.
    pub onkeydown: Callback<KeyboardEvent>,
}

impl Popover {
    /// The backdrop to draw while it is open.
    pub fn backdrop(&self) -> Html {
        if !self.open {
            return Html::default();
        }
        let set = self.set.clone();
        html! {
            // A click anywhere else closes the popover.
            <div class="backdrop" aria-hidden="true" onclick={Callback::from(move |_| set.emit(false))}></div>
        }
    }
}

/// A popover, closed at first.
#[hook]
pub fn use_popover() -> Popover {
    let open = use_state_eq(|| false);
    let button = use_node_ref();
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    let set = {
        let open = open.clone();
        Callback::from(move |value: bool| open.set(value))
    };
    let onkeydown = {
        let open = open.clone();
        let button = button.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" && *open {
                open.set(false);
                if let Some(b) = button.cast::<web_sys::HtmlElement>() {
                    let _ = b.focus();
                }
            }
        })
    };
    Popover {
        open: *open,
        button,
        toggle,
        set,
        onkeydown,
    }
}
