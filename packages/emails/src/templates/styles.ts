import type { CSSProperties } from "react";

// Inline styles only: most mail clients drop <style> blocks and external CSS.
const font = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

const brandColor = "#6d28d9";

export const styles = {
  body: { backgroundColor: "#f4f4f7", fontFamily: font, margin: 0, padding: "24px 0" },
  container: { backgroundColor: "#ffffff", borderRadius: "12px", margin: "0 auto", maxWidth: "560px", overflow: "hidden" },
  header: { backgroundColor: brandColor, padding: "20px 32px" },
  brand: { color: "#ffffff", fontSize: "20px", fontWeight: 700, letterSpacing: "0.3px", margin: 0 },
  content: { padding: "32px" },
  heading: { color: "#111827", fontSize: "22px", fontWeight: 700, lineHeight: "30px", margin: "0 0 16px" },
  paragraph: { color: "#374151", fontSize: "16px", lineHeight: "24px", margin: "0 0 16px" },
  details: { backgroundColor: "#f9fafb", border: "1px solid #e5e7eb", borderRadius: "8px", margin: "8px 0 24px", padding: "16px 20px" },
  detailLabel: { color: "#6b7280", fontSize: "13px", margin: "0", textTransform: "uppercase", letterSpacing: "0.5px" },
  detailValue: { color: "#111827", fontSize: "16px", fontWeight: 600, lineHeight: "22px", margin: "2px 0 12px" },
  buttonRow: { margin: "8px 0 24px", textAlign: "center" },
  button: {
    backgroundColor: brandColor,
    borderRadius: "8px",
    color: "#ffffff",
    display: "inline-block",
    fontSize: "16px",
    fontWeight: 600,
    padding: "14px 28px",
    textDecoration: "none",
  },
  fallback: { color: "#6b7280", fontSize: "13px", lineHeight: "20px", margin: "0 0 8px", wordBreak: "break-all" },
  link: { color: brandColor },
  hr: { borderColor: "#e5e7eb", margin: "24px 0" },
  footer: { color: "#9ca3af", fontSize: "12px", lineHeight: "18px", margin: 0, textAlign: "center" },
} satisfies Record<string, CSSProperties>;
