/** @jsxRuntime automatic @jsxImportSource react */
import type { ReactNode } from "react";
import type { EmailProps } from "../schemas";
import { callTimeRows } from "./call-rows";
import { CallToAction, Details, EmailLayout, Paragraph } from "./layout";

type Props = EmailProps<"booking_cancelled">;

/** Subject of `booking_cancelled`. */
export const bookingCancelledSubject = (props: Props): string => `Booking cancelled: ${props.callTitle}`;

/** Tells either party that a booked call will not take place. */
export function BookingCancelledEmail(props: Props): ReactNode {
  return (
    <EmailLayout preview={`Your call with ${props.otherPartyName} has been cancelled`} heading="Your call has been cancelled">
      <Paragraph>{`Hi ${props.recipientName},`}</Paragraph>
      <Paragraph>{`Your video call with ${props.otherPartyName} has been cancelled and will not take place.`}</Paragraph>
      <Details
        rows={[["With", props.otherPartyName], ["Call", props.callTitle], ...callTimeRows(props.callDateTime, props.timeZone), ["Reason", props.reason]]}
      />
      <Paragraph>If a payment was made for this call, any refund due is handled automatically.</Paragraph>
      {props.bookingUrl ? <CallToAction href={props.bookingUrl} label="View the booking" /> : null}
    </EmailLayout>
  );
}
