//! What a verdict sounds and feels like on the phone, and the device label it keeps.
//! Browser only; on the server these do nothing.

use crate::checkin::Tone;

/// A short tone and a vibration pattern per verdict, where the browser allows them
/// (iPhones do not vibrate; sound needs the page to have been touched once).
pub fn announce(tone: Tone) {
    #[cfg(feature = "hydrate")]
    {
        let (pattern, frequency, seconds): (&[u32], f32, f64) = match tone {
            Tone::Go => (&[80], 880.0, 0.15),
            Tone::Collect => (&[120, 80, 120], 520.0, 0.3),
            Tone::Stop => (&[300, 100, 300], 220.0, 0.45),
        };
        if let Some(window) = web_sys::window() {
            let vibration = js_array(pattern);
            let _ = window.navigator().vibrate_with_pattern(&vibration);
        }
        beep(frequency, seconds);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = tone;
}

#[cfg(feature = "hydrate")]
fn js_array(values: &[u32]) -> wasm_bindgen::JsValue {
    values.iter().map(|v| wasm_bindgen::JsValue::from(*v)).collect::<web_sys::js_sys::Array>().into()
}

#[cfg(feature = "hydrate")]
fn beep(frequency: f32, seconds: f64) {
    thread_local! {
        static AUDIO: Option<web_sys::AudioContext> = web_sys::AudioContext::new().ok();
    }
    AUDIO.with(|audio| {
        let Some(audio) = audio else { return };
        let _ = audio.resume();
        let (Ok(oscillator), Ok(gain)) = (audio.create_oscillator(), audio.create_gain()) else { return };
        oscillator.set_type(web_sys::OscillatorType::Sine);
        oscillator.frequency().set_value(frequency);
        gain.gain().set_value(0.2);
        let now = audio.current_time();
        let played = oscillator
            .connect_with_audio_node(&gain)
            .and_then(|_| gain.connect_with_audio_node(&audio.destination()))
            .and_then(|_| oscillator.start_with_when(now))
            .and_then(|_| oscillator.stop_with_when(now + seconds));
        if played.is_err() {
            leptos::logging::warn!("the door could not play its verdict tone");
        }
    });
}

const DEVICE_KEY: &str = "eventos.door.device";

/// The label this phone gave itself ("Door 2"), kept across visits.
pub fn saved_device_label() -> String {
    #[cfg(feature = "hydrate")]
    {
        let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
        if let Some(label) = storage.and_then(|s| s.get_item(DEVICE_KEY).ok().flatten()) {
            return label;
        }
    }
    String::new()
}

pub fn save_device_label(label: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(DEVICE_KEY, label);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (label, DEVICE_KEY);
}
