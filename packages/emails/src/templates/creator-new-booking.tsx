/** @jsxRuntime automatic @jsxImportSource react */
import type { ReactNode } from "react";
import type { EmailProps } from "../schemas";
import { formatAmount } from "../format";
import { callTimeRows } from "./call-rows";
import { CallToAction, Details, EmailLayout, Paragraph } from "./layout";

type Props = EmailProps<"creator_new_booking">;

/** Subject of `creator_new_booking`. */
export const creatorNewBookingSubject = (props: Props): string => `🎉 New booking: ${props.clientName} booked ${props.callTitle}`;

/** Tells the creator that a fan booked one of their calls. */
export function CreatorNewBookingEmail(props: Props): ReactNode {
  return (
    <EmailLayout preview={`${props.clientName} booked ${props.callTitle}`} heading="You have a new booking">
      <Paragraph>{`Hi ${props.recipientName},`}</Paragraph>
      <Paragraph>{`${props.clientName} just booked a video call with you.`}</Paragraph>
      <Details
        rows={[
          ["Fan", props.clientName],
          ["Call", props.callTitle],
          ...callTimeRows(props.callDateTime, props.timeZone),
          ["Amount", formatAmount(props.amount, props.currency)],
        ]}
      />
      <CallToAction href={props.bookingUrl} label="View the booking" />
    </EmailLayout>
  );
}
