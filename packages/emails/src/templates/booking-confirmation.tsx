/** @jsxRuntime automatic @jsxImportSource react */
import type { ReactNode } from "react";
import type { EmailProps } from "@callastar/email-schemas";
import { formatAmount } from "../format";
import { callTimeRows, callTimeView, type CallTimeView } from "./call-rows";
import { CallToAction, Details, EmailLayout, Paragraph } from "./layout";

type Props = EmailProps<"booking_confirmation">;

/** Display strings of `booking_confirmation`. */
export type BookingConfirmationView = CallTimeView & {
  preview: string;
  greeting: string;
  intro: string;
  creatorName: string;
  callTitle: string;
  amount: string;
  bookingUrl: string;
};

/** Subject of `booking_confirmation`. */
export const bookingConfirmationSubject = (props: Props): string => `✅ Booking confirmed: ${props.callTitle} with ${props.creatorName}`;

/** Display strings of `booking_confirmation`, from its props. */
export function bookingConfirmationView(props: Props): BookingConfirmationView {
  return {
    preview: `Your call with ${props.creatorName} is booked`,
    greeting: `Hi ${props.recipientName},`,
    intro: `Great news: your video call with ${props.creatorName} is booked. Here are the details.`,
    creatorName: props.creatorName,
    callTitle: props.callTitle,
    ...callTimeView(props.callDateTime, props.timeZone),
    amount: formatAmount(props.amount, props.currency),
    bookingUrl: props.bookingUrl,
  };
}

/** The fan's confirmation once the booking is paid. */
export function BookingConfirmationEmail(view: BookingConfirmationView): ReactNode {
  return (
    <EmailLayout preview={view.preview} heading="Your booking is confirmed">
      <Paragraph>{view.greeting}</Paragraph>
      <Paragraph>{view.intro}</Paragraph>
      <Details rows={[["With", view.creatorName], ["Call", view.callTitle], ...callTimeRows(view), ["Amount paid", view.amount]]} />
      <Paragraph>We will send you a reminder shortly before the call starts.</Paragraph>
      <CallToAction href={view.bookingUrl} label="View my booking" />
    </EmailLayout>
  );
}
