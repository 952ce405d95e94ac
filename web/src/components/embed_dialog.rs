//! "Embed code…": a modal dialog that writes the code embedding the view shown in
//! another page — a plain iframe, or the `<kms-playground>` element of `embed.js` — for
//! the options chosen (step, step buttons, theme, autoplay), beside a live preview of
//! that embed at a chosen column width. The height the preview's flow posts at that width
//! is the height written into the code, so the iframe neither clips nor scrolls.

use std::rc::Rc;

use gloo_events::EventListener;
use kmsplay_core::permalink::ViewState;
use wasm_bindgen::JsCast;
use yew::{
    component, html, use_effect_with, use_node_ref, use_reducer_eq, Callback, Event, Html,
    InputEvent, MouseEvent, Properties, Reducible, TargetCast,
};

use crate::clipboard::write_clipboard;
use crate::hooks::HEIGHT_MESSAGE;
use crate::link::{self, EmbedOptions, PreviewHeight, Theme, PREVIEW_WIDTHS};

/// What the dialog embeds: the view shown when it opened.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbedTarget {
    /// The view; its step is the dialog's first choice of step.
    pub view: ViewState,
    /// The page's address without query or fragment (the embed page is found from it).
    pub base: String,
    /// The scenario's title: the embedded iframe's accessible name.
    pub title: String,
    /// Each trace step's title, in order, for the step picker.
    pub steps: Vec<String>,
}

/// The dialog's properties.
#[derive(Properties, PartialEq)]
pub struct EmbedDialogProps {
    /// What to embed.
    pub target: Rc<EmbedTarget>,
    /// The dialog closed (Escape, Close, or a click on the backdrop).
    pub on_close: Callback<()>,
}

/// Which code the dialog shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `<iframe>`: no script.
    Iframe,
    /// `<script src=embed.js>` and `<kms-playground>`: sizes itself.
    Element,
}

/// How the last Copy went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copied {
    /// On the clipboard.
    Done,
    /// No clipboard: the code is selected in its field.
    Manual,
}

/// The dialog's choices and what its preview measured. One reducer for all of it, so
/// what follows from a choice (the preview reloads, the height is measured again, "copied"
/// no longer holds) is decided here, purely.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbedChoices {
    /// The trace step embedded, 0-based.
    pub step: usize,
    /// Step buttons, theme, autoplay.
    pub options: EmbedOptions,
    /// Which code is shown.
    pub form: Form,
    /// The preview's width: the width of the column the code will go in, CSS px.
    pub width: u32,
    /// What is typed in "Other width…", while that is chosen.
    pub typed_width: Option<String>,
    /// The preview's height, as its flow posts it.
    pub height: PreviewHeight,
    /// How the last Copy of the code shown went.
    pub copied: Option<Copied>,
}

/// What the reader (or the preview) did.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// Embed this trace step (0-based).
    Step(usize),
    /// Show the step buttons, or not.
    Controls(bool),
    /// A forced theme, or the system's.
    Theme(Option<Theme>),
    /// Play on load, or not.
    Autoplay(bool),
    /// Show this code.
    Form(Form),
    /// One of [`PREVIEW_WIDTHS`], or `None`: "Other width…".
    PresetWidth(Option<u32>),
    /// A width typed under "Other width…" (taken if [`link::parse_width`] reads it).
    TypedWidth(String),
    /// The preview's flow posted its height.
    Reported(f64),
    /// The code was copied (or selected for copying by hand).
    Copied(Copied),
}

impl EmbedChoices {
    /// The choices a dialog opens with: the step shown, no options, an iframe in a
    /// documentation page's column.
    pub fn new(step: usize) -> Self {
        EmbedChoices {
            step,
            options: EmbedOptions::default(),
            form: Form::Iframe,
            width: link::DEFAULT_PREVIEW_WIDTH,
            typed_width: None,
            height: PreviewHeight::default(),
            copied: None,
        }
    }

    /// Whether "Other width…" holds something that is not a width.
    pub fn width_invalid(&self) -> bool {
        self.typed_width
            .as_deref()
            .is_some_and(|t| link::parse_width(t).is_none())
    }

    /// What the code shown depends on.
    fn code_inputs(&self) -> (usize, EmbedOptions, Form, u32) {
        (self.step, self.options, self.form, self.height.height())
    }
}

impl Reducible for EmbedChoices {
    type Action = Choice;

    fn reduce(self: Rc<Self>, choice: Choice) -> Rc<Self> {
        let mut next = (*self).clone();
        match choice {
            Choice::Step(step) => next.step = step,
            Choice::Controls(on) => next.options.controls = on,
            Choice::Theme(theme) => next.options.theme = theme,
            Choice::Autoplay(on) => next.options.autoplay = on,
            Choice::Form(form) => next.form = form,
            Choice::PresetWidth(Some(width)) => {
                next.width = width;
                next.typed_width = None;
            }
            Choice::PresetWidth(None) => next.typed_width = Some(self.width.to_string()),
            Choice::TypedWidth(text) => {
                if let Some(width) = link::parse_width(&text) {
                    next.width = width;
                }
                next.typed_width = Some(text);
            }
            Choice::Reported(height) => next.height = next.height.reported(height),
            Choice::Copied(copied) => next.copied = Some(copied),
        }
        // Another URL reloads the preview.
        if (next.step, next.options) != (self.step, self.options) {
            next.height = next.height.reloaded();
        }
        if next.code_inputs() != self.code_inputs() {
            next.copied = None;
        }
        Rc::new(next)
    }
}

/// The value of the width picker's "another width" option.
const OTHER_WIDTH: &str = "other";

/// The embed dialog, open as it mounts (`showModal`: the rest of the page is inert).
#[component]
pub fn EmbedDialog(props: &EmbedDialogProps) -> Html {
    let target = &props.target;
    let dialog = use_node_ref();
    let step_field = use_node_ref();
    let frame = use_node_ref();
    let code_field = use_node_ref();
    let choices = use_reducer_eq(|| EmbedChoices::new(target.view.step));
    let choose = {
        let dispatch = choices.dispatcher();
        move |make: fn(String) -> Option<Choice>| {
            let dispatch = dispatch.clone();
            Callback::from(move |e: Event| {
                if let Some(choice) = make(field_value(&e)) {
                    dispatch.dispatch(choice);
                }
            })
        }
    };

    let beside = link::embeds_beside(&target.base);
    let view = ViewState {
        step: choices.step,
        ..target.view.clone()
    };
    let options = choices.options;
    let height = choices.height.height();
    let src = link::embed_url(&target.base, &view, options);
    let code = src.as_ref().and_then(|src| match choices.form {
        Form::Iframe => Some(link::embed_snippet(src, &target.title, height)),
        Form::Element => link::element_snippet(&target.base, &view, options, &target.title, height),
    });

    {
        let dialog = dialog.clone();
        let step_field = step_field.clone();
        let frame = frame.clone();
        let dispatch = choices.dispatcher();
        use_effect_with((), move |()| {
            if let Some(dialog) = dialog.cast::<web_sys::HtmlDialogElement>() {
                if !dialog.open() {
                    let _ = dialog.show_modal();
                }
            }
            // The first option has focus; closing gives it back to Share (the owner's job).
            if let Some(field) = step_field.cast::<web_sys::HtmlElement>() {
                let _ = field.focus();
            }
            // The heights the preview's flow posts; only its own messages count.
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "message", move |event| {
                    if let Some(height) = preview_height(event, &frame) {
                        dispatch.dispatch(Choice::Reported(height));
                    }
                })
            });
            move || drop(listener)
        });
    }

    let close = {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(dialog) = dialog.cast::<web_sys::HtmlDialogElement>() {
                dialog.close();
            }
        })
    };
    // A click on the backdrop (the dialog element itself, outside its content) closes it.
    let on_backdrop = {
        let dialog = dialog.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(element) = dialog.cast::<web_sys::HtmlDialogElement>() else {
                return;
            };
            let on_dialog = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlDialogElement>().ok())
                .is_some_and(|t| t == element);
            if on_dialog {
                element.close();
            }
        })
    };
    let on_closed = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: Event| on_close.emit(()))
    };
    let on_step = choose(|v| v.parse().ok().map(Choice::Step));
    let on_theme = choose(|v| Some(Choice::Theme(Theme::parse(&v))));
    let on_width = choose(|v| match link::parse_width(&v) {
        Some(width) => Some(Choice::PresetWidth(Some(width))),
        None => (v == OTHER_WIDTH).then_some(Choice::PresetWidth(None)),
    });
    let check = |make: fn(bool) -> Choice| {
        let dispatch = choices.dispatcher();
        Callback::from(move |e: Event| {
            let on = e
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .checked();
            dispatch.dispatch(make(on));
        })
    };
    let on_form = |form: Form| {
        let dispatch = choices.dispatcher();
        Callback::from(move |_: Event| dispatch.dispatch(Choice::Form(form)))
    };
    let on_width_text = {
        let dispatch = choices.dispatcher();
        Callback::from(move |e: InputEvent| {
            let value = e
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .value();
            dispatch.dispatch(Choice::TypedWidth(value));
        })
    };
    let on_copy = {
        let code = code.clone();
        let dispatch = choices.dispatcher();
        let field = code_field.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(text) = code.clone() else {
                return;
            };
            let dispatch = dispatch.clone();
            let field = field.clone();
            yew::platform::spawn_local(async move {
                if write_clipboard(&text).await {
                    dispatch.dispatch(Choice::Copied(Copied::Done));
                } else {
                    // No clipboard: the code is selected in its field, ready for Ctrl+C.
                    if let Some(field) = field.cast::<web_sys::HtmlTextAreaElement>() {
                        let _ = field.focus();
                        field.select();
                    }
                    dispatch.dispatch(Choice::Copied(Copied::Manual));
                }
            });
        })
    };

    let step_options = target.steps.iter().enumerate().map(|(i, title)| {
        html! {
            <option value={i.to_string()} selected={i == choices.step}>{ format!("{}. {title}", i + 1) }</option>
        }
    });
    let theme_value = options.theme.map_or("system", Theme::attribute);
    let theme_options = [("system", "System"), ("light", "Light"), ("dark", "Dark")]
        .into_iter()
        .map(|(value, label)| {
            html! { <option {value} selected={value == theme_value}>{ label }</option> }
        });
    let other_width = choices.typed_width.is_some();
    let width_options = PREVIEW_WIDTHS.iter().map(|&w| {
        html! {
            <option value={w.to_string()} selected={!other_width && w == choices.width}>{ format!("{w} px") }</option>
        }
    });
    let range = &link::PREVIEW_WIDTH_RANGE;
    let measured = choices.height.measured();
    let note = match (&code, measured) {
        (None, _) => html! {
            { "This scenario is too large to fit in a link; save its JSON from the editor instead." }
        },
        (Some(_), true) => html! {
            <>
                { format!("height=\"{height}\" is the preview's height at {} px wide, at the step it shows.", choices.width) }
                if options.controls || options.autoplay {
                    { " Other steps may be taller; the " }<code>{ "<kms-playground>" }</code>{ " element follows them." }
                }
            </>
        },
        (Some(_), false) if beside => html! {
            { format!("Measuring the preview at {} px wide…", choices.width) }
        },
        (Some(_), false) => html! {
            { format!("height=\"{height}\" is a guess: the single-file page cannot preview its embed.") }
        },
    };
    let status = match choices.copied {
        None => Html::default(),
        Some(Copied::Done) => html! {
            <p class="share-done" data-testid="embed-copied">{ "Copied to the clipboard." }</p>
        },
        Some(Copied::Manual) => html! {
            <p data-testid="embed-manual">{ "There is no clipboard here: the code is selected in its field, copy it with Ctrl+C (⌘C)." }</p>
        },
    };
    let preview = match (&src, beside) {
        (Some(src), true) => html! {
            // No scrollbar while it is shorter than its flow: that would narrow the flow,
            // and the height it posts would be for a narrower column than the one chosen.
            <iframe ref={frame} class="embed-preview-frame" src={src.clone()} scrolling="no"
                    width={choices.width.to_string()} height={height.to_string()}
                    title={format!("Preview: KMS Playground: {}", target.title)}
                    data-testid="embed-preview"></iframe>
        },
        _ => html! {
            <p class="muted small">{ "No preview here: the single-file page allows no frames. Served over HTTP, the page previews its embed." }</p>
        },
    };

    html! {
        <dialog ref={dialog} class="embed-dialog" aria-labelledby="embed-dialog-title"
                data-testid="embed-dialog" onclose={on_closed} onclick={on_backdrop}>
            <div class="embed-dialog-inner">
                <div class="embed-dialog-head">
                    <h2 id="embed-dialog-title">{ "Embed this flow" }</h2>
                    <button type="button" class="secondary" onclick={close}>{ "Close" }</button>
                </div>
                <div class="embed-dialog-body">
                    <div class="embed-settings">
                        <div class="embed-options">
                            <div class="embed-field embed-step">
                                <label for="embed-step">{ "Step" }</label>
                                <select id="embed-step" ref={step_field} onchange={on_step}>
                                    { for step_options }
                                </select>
                            </div>
                            <div class="embed-field">
                                <label for="embed-theme">{ "Theme" }</label>
                                <select id="embed-theme" onchange={on_theme}>{ for theme_options }</select>
                            </div>
                            <label class="embed-check">
                                <input type="checkbox" checked={options.controls} onchange={check(Choice::Controls)}
                                       data-testid="embed-controls" />
                                { "Step buttons" }
                            </label>
                            <label class="embed-check">
                                <input type="checkbox" checked={options.autoplay} onchange={check(Choice::Autoplay)}
                                       data-testid="embed-autoplay" />
                                { "Play on load" }
                            </label>
                        </div>
                        <fieldset class="embed-forms">
                            <legend>{ "Code" }</legend>
                            <label class="embed-check">
                                <input type="radio" name="embed-form" checked={choices.form == Form::Iframe}
                                       onchange={on_form(Form::Iframe)} data-testid="embed-form-iframe" />
                                { "iframe (no script)" }
                            </label>
                            if beside {
                                <label class="embed-check">
                                    <input type="radio" name="embed-form" checked={choices.form == Form::Element}
                                           onchange={on_form(Form::Element)} data-testid="embed-form-element" />
                                    <code>{ "<kms-playground>" }</code>{ " (sizes itself)" }
                                </label>
                            }
                        </fieldset>
                        <label class="sr-only" for="embed-code">{ "Embed code" }</label>
                        <textarea id="embed-code" class="code embed-code" ref={code_field} readonly=true
                                  rows="5" spellcheck="false" value={code.clone().unwrap_or_default()}
                                  aria-describedby="embed-note" />
                        <p id="embed-note" class="embed-note" data-testid="embed-note"
                           data-measured={measured.to_string()} data-height={height.to_string()}>
                            { note }
                        </p>
                        <div class="embed-copy-row">
                            <button type="button" class="primary" onclick={on_copy} disabled={code.is_none()}
                                    data-testid="embed-copy">{ "Copy" }</button>
                            <div class="embed-status" aria-live="polite">{ status }</div>
                        </div>
                    </div>
                    <div class="embed-preview">
                        <div class="embed-preview-bar">
                            <h3 id="embed-preview-heading">{ "Preview" }</h3>
                            <div class="embed-field">
                                <label for="embed-width">{ "Your page's column" }</label>
                                <select id="embed-width" onchange={on_width}>
                                    { for width_options }
                                    <option value={OTHER_WIDTH} selected={other_width}>{ "Other width…" }</option>
                                </select>
                            </div>
                            if let Some(typed) = choices.typed_width.clone() {
                                <div class="embed-field">
                                    <label for="embed-width-input">{ "Width (px)" }</label>
                                    <input id="embed-width-input" type="number" inputmode="numeric" class="embed-width-input"
                                           min={range.start().to_string()} max={range.end().to_string()} step="10"
                                           value={typed} oninput={on_width_text}
                                           aria-invalid={choices.width_invalid().to_string()}
                                           aria-describedby={choices.width_invalid().then_some("embed-width-error")} />
                                </div>
                            }
                        </div>
                        if choices.width_invalid() {
                            <p id="embed-width-error" class="bad-text small">{ format!("A width from {} to {} px.", range.start(), range.end()) }</p>
                        }
                        <p class="embed-preview-hint muted small">{ "At its true width and height: it scrolls where the dialog is smaller." }</p>
                        // Focusable, so that a keyboard can scroll it too.
                        <div class="embed-preview-scroll" tabindex="0" role="region"
                             aria-labelledby="embed-preview-heading">{ preview }</div>
                    </div>
                </div>
            </div>
        </dialog>
    }
}

/// The value of the select that sent `event`.
fn field_value(event: &Event) -> String {
    event
        .target_unchecked_into::<web_sys::HtmlSelectElement>()
        .value()
}

/// The height in a `message` event, if the preview's flow sent it
/// (`{type: "kms-playground:height", height}` from the preview iframe's window).
fn preview_height(event: &web_sys::Event, frame: &yew::NodeRef) -> Option<f64> {
    let event = event.dyn_ref::<web_sys::MessageEvent>()?;
    let window = frame
        .cast::<web_sys::HtmlIFrameElement>()?
        .content_window()?;
    let source = event.source()?;
    if !js_sys::Object::is(&source, &window) {
        return None;
    }
    let data = event.data();
    let kind = js_sys::Reflect::get(&data, &"type".into()).ok()?;
    if kind.as_string().as_deref() != Some(HEIGHT_MESSAGE) {
        return None;
    }
    js_sys::Reflect::get(&data, &"height".into()).ok()?.as_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(choices: EmbedChoices, steps: impl IntoIterator<Item = Choice>) -> EmbedChoices {
        let mut state = Rc::new(choices);
        for choice in steps {
            state = state.reduce(choice);
        }
        (*state).clone()
    }

    #[test]
    fn a_choice_that_changes_the_url_measures_again() {
        let measured = after(EmbedChoices::new(11), [Choice::Reported(815.0)]);
        assert!(measured.height.measured());
        for choice in [
            Choice::Step(3),
            Choice::Controls(false),
            Choice::Theme(Some(Theme::Dark)),
            Choice::Autoplay(true),
        ] {
            let next = after(measured.clone(), [choice.clone()]);
            assert!(!next.height.measured(), "{choice:?}");
            // Until the preview reports, the last height stands.
            assert_eq!(next.height.height(), 815, "{choice:?}");
        }
        // Neither the code's form nor a choice that changes nothing reloads it.
        for choice in [
            Choice::Form(Form::Element),
            Choice::Step(11),
            Choice::Controls(true),
        ] {
            assert!(
                after(measured.clone(), [choice.clone()]).height.measured(),
                "{choice:?}"
            );
        }
    }

    #[test]
    fn widths_preset_and_typed() {
        let s = after(
            EmbedChoices::new(0),
            [Choice::Reported(815.0), Choice::Reported(900.0)],
        );
        assert_eq!(s.height.height(), 900);
        let s = after(s, [Choice::PresetWidth(Some(480))]);
        assert_eq!((s.width, s.typed_width.as_deref()), (480, None));
        // At another width the last height holds until the flow says otherwise.
        assert_eq!((s.height.height(), s.height.measured()), (900, true));
        assert_eq!(
            after(s.clone(), [Choice::Reported(1000.0)]).height.height(),
            1000
        );
        let s = after(s, [Choice::PresetWidth(None)]);
        assert_eq!((s.width, s.typed_width.as_deref()), (480, Some("480")));
        let s = after(s, [Choice::TypedWidth("63".into())]);
        assert!(s.width_invalid());
        assert_eq!(s.width, 480, "an unreadable width keeps the last good one");
        let s = after(s, [Choice::TypedWidth("634".into())]);
        assert!(!s.width_invalid());
        assert_eq!(s.width, 634);
        let s = after(s, [Choice::PresetWidth(Some(960))]);
        assert_eq!((s.width, s.typed_width), (960, None));
    }

    #[test]
    fn copied_holds_until_the_code_changes() {
        let s = after(
            EmbedChoices::new(0),
            [Choice::Reported(815.0), Choice::Copied(Copied::Done)],
        );
        assert_eq!(s.copied, Some(Copied::Done));
        // The same height again, or another preview width at the same height: same code.
        assert_eq!(
            after(s.clone(), [Choice::Reported(814.5)]).copied,
            Some(Copied::Done)
        );
        assert_eq!(
            after(s.clone(), [Choice::PresetWidth(Some(960))]).copied,
            Some(Copied::Done)
        );
        for choice in [
            Choice::Reported(900.0),
            Choice::Form(Form::Element),
            Choice::Step(2),
            Choice::Theme(Some(Theme::Light)),
        ] {
            assert_eq!(
                after(s.clone(), [choice.clone()]).copied,
                None,
                "{choice:?}"
            );
        }
    }
}
