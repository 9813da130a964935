/** @jsxRuntime automatic @jsxImportSource react */
import type { ReactNode } from "react";
import type { EmailProps } from "../schemas";
import { formatAmount } from "../format";
import { CallToAction, Details, EmailLayout, Paragraph } from "./layout";

type Props = EmailProps<"payment_received">;

/** Subject of `payment_received`. */
export const paymentReceivedSubject = (props: Props): string => `Payment received: ${formatAmount(props.amount, props.currency)}`;

/** Receipt for a payment. */
export function PaymentReceivedEmail(props: Props): ReactNode {
  const amount = formatAmount(props.amount, props.currency);
  return (
    <EmailLayout preview={`We received a payment of ${amount}`} heading="Payment received">
      <Paragraph>{`Hi ${props.recipientName},`}</Paragraph>
      <Paragraph>
        {props.callTitle ? `We have received a payment of ${amount} for "${props.callTitle}". Thank you!` : `We have received a payment of ${amount}. Thank you!`}
      </Paragraph>
      <Details rows={[["Amount", amount], ["Call", props.callTitle]]} />
      {props.bookingUrl ? <CallToAction href={props.bookingUrl} label="View the booking" /> : null}
    </EmailLayout>
  );
}
