/** @jsxRuntime automatic @jsxImportSource react */
import type { ReactNode } from "react";
import type { EmailProps } from "../schemas";
import { formatAmount } from "../format";
import { callTimeRows } from "./call-rows";
import { CallToAction, Details, EmailLayout, Paragraph } from "./layout";

type Props = EmailProps<"booking_confirmation">;

/** Subject of `booking_confirmation`. */
export const bookingConfirmationSubject = (props: Props): string => `✅ Booking confirmed: ${props.callTitle} with ${props.creatorName}`;

/** The fan's confirmation once the booking is paid. */
export function BookingConfirmationEmail(props: Props): ReactNode {
  return (
    <EmailLayout preview={`Your call with ${props.creatorName} is booked`} heading="Your booking is confirmed">
      <Paragraph>{`Hi ${props.recipientName},`}</Paragraph>
      <Paragraph>{`Great news: your video call with ${props.creatorName} is booked. Here are the details.`}</Paragraph>
      <Details
        rows={[
          ["With", props.creatorName],
          ["Call", props.callTitle],
          ...callTimeRows(props.callDateTime, props.timeZone),
          ["Amount paid", formatAmount(props.amount, props.currency)],
        ]}
      />
      <Paragraph>We will send you a reminder shortly before the call starts.</Paragraph>
      <CallToAction href={props.bookingUrl} label="View my booking" />
    </EmailLayout>
  );
}
