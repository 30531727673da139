//! QR codes for tickets: SVG for pages, PNG for e-mail (mail clients do not show SVG).

use qrcode::render::svg;
use qrcode::{Color, EcLevel, QrCode};

/// What a ticket's QR code encodes. The prefix lets scanners tell our codes from others
/// and leaves room for a new format later.
pub fn payload(secret: &str) -> String {
    format!("EOS1:{secret}")
}

fn code(secret: &str) -> Option<QrCode> {
    QrCode::with_error_correction_level(payload(secret).as_bytes(), EcLevel::M)
        .inspect_err(|error| tracing::error!(%error, "cannot encode a ticket QR code"))
        .ok()
}

/// An SVG document that scales to its container.
pub fn svg(secret: &str) -> Option<String> {
    let code = code(secret)?;
    Some(code.render::<svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build())
}

/// A black-and-white PNG, `scale` pixels per module, with the standard 4-module margin.
pub fn png(secret: &str, scale: usize) -> Option<Vec<u8>> {
    let code = code(secret)?;
    let modules = code.width();
    let colors = code.to_colors();
    let margin = 4;
    let side = (modules + 2 * margin) * scale;
    let mut pixels = vec![255u8; side * side];
    for (index, color) in colors.iter().enumerate() {
        if *color == Color::Dark {
            let (x, y) = (index % modules + margin, index / modules + margin);
            for row in y * scale..(y + 1) * scale {
                pixels[row * side + x * scale..row * side + (x + 1) * scale].fill(0);
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let written = encoder.write_header().and_then(|mut writer| writer.write_image_data(&pixels));
    match written {
        Ok(()) => Some(out),
        Err(error) => {
            tracing::error!(%error, "cannot write a ticket QR code as PNG");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_qr_code_renders_as_svg_and_png() {
        let svg = svg("abcdefghijklmnopqrstuvwxyz0123").unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
        let png = png("abcdefghijklmnopqrstuvwxyz0123", 4).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }

    #[test]
    fn the_payload_carries_the_secret_and_nothing_else() {
        assert_eq!(payload("s3cret"), "EOS1:s3cret");
    }
}
