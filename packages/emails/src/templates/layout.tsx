/** @jsxRuntime automatic @jsxImportSource react */
import { Body, Button, Container, Head, Heading, Hr, Html, Link, Preview, Section, Text } from "@react-email/components";
import type { ReactNode } from "react";
import { styles } from "./styles";

/** The platform's name as it appears in every email. */
const BRAND_NAME = "Call a Star";

/** The frame shared by every email: branding header, heading, content, footer. */
export function EmailLayout(props: { preview: string; heading: string; children: ReactNode }): ReactNode {
  return (
    <Html lang="en" dir="ltr">
      <Head />
      <Preview>{props.preview}</Preview>
      <Body style={styles.body}>
        <Container style={styles.container}>
          <Section style={styles.header}>
            <Text style={styles.brand}>{`★ ${BRAND_NAME}`}</Text>
          </Section>
          <Section style={styles.content}>
            <Heading as="h1" style={styles.heading}>
              {props.heading}
            </Heading>
            {props.children}
            <Hr style={styles.hr} />
            <Text style={styles.footer}>
              {`You are receiving this email because you have a booking on ${BRAND_NAME}.`}
            </Text>
          </Section>
        </Container>
      </Body>
    </Html>
  );
}

/** A paragraph of body text. */
export function Paragraph(props: { children: ReactNode }): ReactNode {
  return <Text style={styles.paragraph}>{props.children}</Text>;
}

/** The call to action, with the raw link under it for clients that do not show buttons. */
export function CallToAction(props: { href: string; label: string }): ReactNode {
  return (
    <>
      <Section style={styles.buttonRow}>
        <Button href={props.href} style={styles.button}>
          {props.label}
        </Button>
      </Section>
      <Text style={styles.fallback}>
        {"If the button does not work, copy this link into your browser: "}
        <Link href={props.href} style={styles.link}>
          {props.href}
        </Link>
      </Text>
    </>
  );
}

/** A boxed list of label/value pairs (call, date, time, amount…); rows whose value is missing are skipped. */
export function Details(props: { rows: ReadonlyArray<readonly [label: string, value: string | undefined]> }): ReactNode {
  return (
    <Section style={styles.details}>
      {props.rows
        .filter((row): row is readonly [string, string] => row[1] !== undefined)
        .map(([label, value]) => (
          <div key={label}>
            <Text style={styles.detailLabel}>{label}</Text>
            <Text style={styles.detailValue}>{value}</Text>
          </div>
        ))}
    </Section>
  );
}
