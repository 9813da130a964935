/** @jsxRuntime automatic @jsxImportSource react */
import type { ReactNode } from "react";
import type { EmailProps } from "@callastar/email-schemas";
import { formatAmount } from "../format";
import { CallToAction, Details, EmailLayout, Paragraph } from "./layout";

type Props = EmailProps<"payment_received">;

/** Display strings of `payment_received`. */
export type PaymentReceivedView = {
  preview: string;
  greeting: string;
  message: string;
  amount: string;
  callTitle: string | undefined;
  bookingUrl: string | undefined;
};

/** Subject of `payment_received`. */
export const paymentReceivedSubject = (props: Props): string => `Payment received: ${formatAmount(props.amount, props.currency)}`;

/** Display strings of `payment_received`, from its props. */
export function paymentReceivedView(props: Props): PaymentReceivedView {
  const amount = formatAmount(props.amount, props.currency);
  return {
    preview: `We received a payment of ${amount}`,
    greeting: `Hi ${props.recipientName},`,
    message: props.callTitle ? `We have received a payment of ${amount} for "${props.callTitle}". Thank you!` : `We have received a payment of ${amount}. Thank you!`,
    amount,
    callTitle: props.callTitle,
    bookingUrl: props.bookingUrl,
  };
}

/** Receipt for a payment. */
export function PaymentReceivedEmail(view: PaymentReceivedView): ReactNode {
  return (
    <EmailLayout preview={view.preview} heading="Payment received">
      <Paragraph>{view.greeting}</Paragraph>
      <Paragraph>{view.message}</Paragraph>
      <Details rows={[["Amount", view.amount], ["Call", view.callTitle]]} />
      {view.bookingUrl ? <CallToAction href={view.bookingUrl} label="View the booking" /> : null}
    </EmailLayout>
  );
}
